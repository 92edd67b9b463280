import Foundation
import NIOCore

/// The bytes of a create, append or close request, built from raw bytes, text or JSON values.
///
/// JSON values are always sent wrapped in an array (`[value]`, `[a, b, c]`), so that each value is stored as
/// exactly one message even when it is itself an array (the server flattens one level of arrays).
public struct StreamBody: Sendable {
    /// The bytes sent.
    public var buffer: ByteBuffer
    /// Whether the bytes are a JSON array of messages (set by the JSON builders).
    public var isJSONBatch: Bool

    /// Raw bytes.
    public init(_ buffer: ByteBuffer) {
        self.buffer = buffer
        self.isJSONBatch = false
    }

    /// Raw bytes from any byte sequence (`[UInt8]`, `Data`, …).
    public init(bytes: some Sequence<UInt8>) {
        self.init(ByteBuffer(bytes: bytes))
    }

    /// UTF-8 text.
    public init(text: String) {
        self.init(ByteBuffer(string: text))
    }

    /// One JSON message, encoded with `encoder` and sent as `[value]`.
    public static func json<T: Encodable>(_ value: T, encoder: JSONEncoder = JSONEncoder()) throws(DurableStreamError) -> StreamBody {
        try jsonBatch([value], encoder: encoder)
    }

    /// Several JSON messages sent in one request as `[v1, v2, …]`; each value becomes one message.
    public static func jsonBatch<T: Encodable>(_ values: [T], encoder: JSONEncoder = JSONEncoder()) throws(DurableStreamError) -> StreamBody {
        var buffer = ByteBuffer(string: "[")
        for (index, value) in values.enumerated() {
            if index > 0 { buffer.writeString(",") }
            buffer.writeBytes(try encodeJSON(value, encoder: encoder))
        }
        buffer.writeString("]")
        var body = StreamBody(buffer)
        body.isJSONBatch = true
        return body
    }

    /// Already-encoded JSON messages (each one complete JSON text) sent as one array.
    public static func jsonMessages(_ messages: [ByteBuffer]) -> StreamBody {
        var buffer = ByteBuffer(string: "[")
        for (index, message) in messages.enumerated() {
            if index > 0 { buffer.writeString(",") }
            buffer.writeImmutableBuffer(message)
        }
        buffer.writeString("]")
        var body = StreamBody(buffer)
        body.isJSONBatch = true
        return body
    }

    /// The number of bytes sent.
    public var count: Int { buffer.readableBytes }
}

/// Encodes one JSON message, mapping failures to ``DurableStreamError/Code/json``.
func encodeJSON<T: Encodable>(_ value: T, encoder: JSONEncoder) throws(DurableStreamError) -> Data {
    do {
        return try encoder.encode(value)
    } catch {
        throw DurableStreamError(.json, "could not encode \(T.self) as JSON: \(error)", underlying: error)
    }
}
