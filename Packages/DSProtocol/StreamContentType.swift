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
        var slashes = 0
        var partLength = 0
        for byte in mediaType.utf8 {
            if byte == UInt8(ascii: "/") {
                guard partLength > 0 else { return false }
                slashes += 1
                partLength = 0
            } else {
                guard Self.isTokenByte(byte) else { return false }
                partLength += 1
            }
        }
        return slashes == 1 && partLength > 0
    }

    /// The media type lower-cased without parameters. Scans bytes and returns `value` itself when it is
    /// already normalised (the common case, which then costs no allocation; this ran on every append).
    static func normalizedMediaType(of value: String) -> String {
        let utf8 = value.utf8
        let baseEnd = utf8.firstIndex(of: UInt8(ascii: ";")) ?? utf8.endIndex
        var start = utf8.startIndex
        var end = baseEnd
        while start < end && (utf8[start] == 0x20 || utf8[start] == 0x09) { start = utf8.index(after: start) }
        while end > start {
            let previous = utf8.index(before: end)
            guard utf8[previous] == 0x20 || utf8[previous] == 0x09 else { break }
            end = previous
        }
        var hasUppercase = false
        for byte in utf8[start..<end] {
            if byte >= 0x80 { return String(value[start..<end]).lowercased() }  // non-ASCII: Unicode lower-casing
            if byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") { hasUppercase = true }
        }
        if !hasUppercase && start == utf8.startIndex && end == utf8.endIndex { return value }
        return hasUppercase ? String(value[start..<end]).lowercased() : String(value[start..<end])
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
        guard let firstByte = utf8.first, let lastByte = utf8.last else { return self }
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 }
        if !isSpace(firstByte) && !isSpace(lastByte) { return self }
        guard let first = utf8.firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = utf8.lastIndex(where: { !isSpace($0) })!
        return String(self[first...last])
    }
}
