import NIOCore
import Synchronization

/// A request's id for `X-Request-Id` and the request log: the client's own, or one the server generated.
///
/// A generated id is a random per-process prefix and a counter (unique, sortable within one run), kept as the
/// counter until it is written: with ids on by default, making a `String` for every request's answer cost an
/// allocation and two number formattings on the append path.
struct RequestID: Sendable, Equatable, CustomStringConvertible {
    private enum Value: Sendable, Equatable {
        case client(String)
        case generated(UInt64)
    }

    private let value: Value

    /// The id a client sent, when it is acceptable (``isAcceptable(_:)``).
    init?(client id: String) {
        guard Self.isAcceptable(id) else { return nil }
        value = .client(id)
    }

    /// A new server-generated id.
    static func generate() -> RequestID {
        RequestID(value: .generated(counter.wrappingAdd(1, ordering: .relaxed).newValue))
    }

    private init(value: Value) { self.value = value }

    /// Client-chosen ids are echoed only when short and plain (visible ASCII), so they cannot forge log lines
    /// or response headers.
    static func isAcceptable(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= 128 && id.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }
    }

    /// The most bytes ``write(into:)`` writes: a client's id is at most 128 bytes.
    static let maxWrittenBytes = 128

    /// Writes the id's bytes (no header name, no line end).
    func write(into head: inout HeadBytes) {
        switch value {
        case .client(let id):
            head.append(id)
        case .generated(let sequence):
            head.append(Self.processPrefix)
            head.appendHexadecimal(sequence)
        }
    }

    var description: String {
        switch value {
        case .client(let id): return id
        case .generated(let sequence): return Self.processPrefix + String(sequence, radix: 16)
        }
    }

    /// Eight hex digits and a dash, chosen once per process.
    private static let processPrefix: String = {
        let digits = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits + "-"
    }()

    private static let counter = Atomic<UInt64>(0)
}
