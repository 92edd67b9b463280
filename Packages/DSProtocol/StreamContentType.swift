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
        var typeLength = 0
        var subtypeLength = 0
        for byte in mediaType.utf8 {
            if byte == UInt8(ascii: "/") {
                slashes += 1
            } else if HTTPToken.isTokenByte(byte) {
                if slashes == 0 { typeLength += 1 } else { subtypeLength += 1 }
            } else {
                return false
            }
        }
        return slashes == 1 && typeLength > 0 && subtypeLength > 0
    }

    /// The part before any `;`, trimmed and lower-cased. Runs for every append's `Content-Type`, so the usual
    /// value (already a lower-case `type/subtype`) is returned as it is, without building a new string.
    /// `value` must already be trimmed.
    static func normalizedMediaType(of value: String) -> String {
        let utf8 = value.utf8
        var end = utf8.endIndex
        var needsLowercasing = false
        var index = utf8.startIndex
        while index < utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: ";") {
                end = index
                break
            }
            if (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) || byte >= 0x80 { needsLowercasing = true }
            utf8.formIndex(after: &index)
        }
        if end == utf8.endIndex && !needsLowercasing { return value }
        var base = Substring(utf8[utf8.startIndex..<end]).utf8
        while let last = base.last, last == 0x20 || last == 0x09 { base = base.dropLast() }
        let mediaType = String(Substring(base))
        return needsLowercasing ? mediaType.lowercased() : mediaType
    }

}

extension String {
    /// The string without leading and trailing spaces and tabs (itself, without a copy, when there are none).
    package func trimmingASCIIWhitespace() -> String {
        let utf8 = self.utf8
        guard let first = utf8.firstIndex(where: { $0 != 0x20 && $0 != 0x09 }) else { return "" }
        let last = utf8.lastIndex(where: { $0 != 0x20 && $0 != 0x09 })!
        if first == utf8.startIndex && utf8.index(after: last) == utf8.endIndex { return self }
        return String(Substring(utf8[first...last]))
    }
}
