import DSProtocol

/// A position in a stream, exactly as the server minted it.
///
/// Offsets are opaque: store them and send them back, never build or parse them. Two offsets of the same
/// stream compare byte-wise (`<`), which orders them by position. The sentinels ``beginning`` and ``now``
/// are the only offsets a client may write itself.
public struct Offset: RawRepresentable, Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The token as sent on the wire.
    public let rawValue: String

    /// Wraps a token received from the server (or a sentinel).
    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// Wraps a token received from the server (or a sentinel).
    public init(_ rawValue: String) {
        self.rawValue = rawValue
    }

    /// The start of the stream (`-1`).
    public static let beginning = Offset(rawValue: ReadStart.beginningSentinel)

    /// The current tail (`now`): skip existing data and read only what is appended from here on.
    public static let now = Offset(rawValue: ReadStart.tailSentinel)

    /// Whether this is one of the sentinels rather than a server-minted position.
    public var isSentinel: Bool { self == .beginning || self == .now }

    /// The token as sent on the wire.
    public var description: String { rawValue }

    /// Byte-wise order, which the protocol guarantees to be stream order for offsets of one stream.
    public static func < (lhs: Offset, rhs: Offset) -> Bool {
        lhs.rawValue.utf8.lexicographicallyPrecedes(rhs.rawValue.utf8)
    }

    /// Decodes an offset stored as a plain string.
    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    /// Encodes the offset as a plain string, so it can be persisted and restored.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
