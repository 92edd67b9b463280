/// Content-type rules of the protocol: normalisation, comparison, JSON mode and SSE encoding.
public struct StreamContentType: Sendable, Hashable, CustomStringConvertible {
    /// The value as the stream's creator sent it (returned on reads).
    public let value: String
    /// The lower-cased media type without parameters, used for comparisons.
    public let mediaType: String

    /// The type used when a create request names none.
    public static let defaultType = StreamContentType("application/octet-stream")

    /// Wraps a `Content-Type` header value.
    public init(_ value: String) {
        self.value = value.trimmingASCIIWhitespace()
        self.mediaType = Self.normalizedMediaType(of: self.value)
    }

    /// Parses a header value, returning `nil` when it is not a syntactically valid `type/subtype`.
    public init?(validating value: String) {
        let contentType = StreamContentType(value)
        guard contentType.isWellFormed else { return nil }
        self = contentType
    }

    /// True for `application/json`: message boundaries are preserved and reads return a JSON array.
    public var isJSON: Bool { mediaType == "application/json" }

    /// True when SSE data events can carry the bytes as text (`text/*` and `application/json`);
    /// every other type is base64-encoded.
    public var isSSETextNative: Bool { isJSON || mediaType.hasPrefix("text/") }

    /// Whether two content types name the same media type (parameters and case ignored).
    public func matches(_ other: StreamContentType) -> Bool { mediaType == other.mediaType }

    public var description: String { value }

    /// A `type/subtype` made of RFC 7230 token characters.
    var isWellFormed: Bool {
        let parts = mediaType.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return false }
        return parts.allSatisfy { !$0.isEmpty && $0.utf8.allSatisfy(Self.isTokenByte) }
    }

    static func normalizedMediaType(of value: String) -> String {
        let base = value.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return String(base).trimmingASCIIWhitespace().lowercased()
    }

    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs.
    package func trimmingASCIIWhitespace() -> String {
        let utf8 = self.utf8
        guard let first = utf8.firstIndex(where: { $0 != 0x20 && $0 != 0x09 }) else { return "" }
        let last = utf8.lastIndex(where: { $0 != 0x20 && $0 != 0x09 })!
        return String(self[first...last])
    }
}
