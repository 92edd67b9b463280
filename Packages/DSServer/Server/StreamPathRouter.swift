/// Splits a request target into the stream path below the stream root and the query, and recognises
/// the reserved `__ds` namespace.
struct StreamPathRouter {
    /// The URL path prefix of every stream, starting and ending with `/`.
    let streamRoot: String

    /// The first stream-root-relative segment reserved for protocol control APIs.
    static let reservedSegment = "__ds"

    enum Route: Equatable {
        /// A stream operation.
        case stream(path: String, urlPath: String, query: [String: String])
        /// A control API under `{root}__ds/` (subscriptions, JWKS).
        case reserved(subpath: String, query: [String: String])
        /// Outside the stream root.
        case outside
        /// Malformed percent-encoding or a forbidden path segment.
        case invalid(String)
    }

    func route(_ uri: String) -> Route {
        let (rawPath, rawQuery) = Self.splitQuery(uri)
        guard rawPath.hasPrefix(streamRoot) else {
            // The root itself without its trailing slash is not a stream either.
            return .outside
        }
        guard let query = Self.parseQuery(rawQuery) else { return .invalid("malformed query string") }
        let encodedStreamPath = rawPath.dropFirst(streamRoot.count)
        guard let path = Self.percentDecode(encodedStreamPath) else { return .invalid("malformed percent-encoding in the stream path") }
        if let problem = Self.problem(in: path) { return .invalid(problem) }
        let firstSegment = path.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        if firstSegment == Self.reservedSegment {
            return .reserved(subpath: String(path.dropFirst(Self.reservedSegment.count)), query: query)
        }
        return .stream(path: path, urlPath: String(rawPath), query: query)
    }

    /// What a `Stream-Forked-From` value names.
    enum ForkSource: Equatable {
        /// A stream path below the stream root.
        case stream(String)
        /// A well-formed path where no stream can exist (outside the stream root, or the reserved namespace).
        case noStream
        /// Not a usable path at all (malformed escapes, `.`/`..` or NUL, empty).
        case malformed
    }

    /// Resolves a `Stream-Forked-From` value: a path under the stream root, a root-relative stream path,
    /// or a full URL whose path is one of those (the host is not checked: forks are always local).
    func forkSource(_ value: String) -> ForkSource {
        var candidate = Substring(value)
        if let schemeEnd = Self.endOfScheme(in: candidate) {
            // A full URL: keep only its path.
            let afterScheme = candidate[schemeEnd...]
            guard let slash = afterScheme.firstIndex(of: "/") else { return .malformed }
            candidate = afterScheme[slash...]
        }
        if candidate.hasPrefix("/") {
            guard candidate.hasPrefix(streamRoot) else { return .noStream }
            candidate = candidate.dropFirst(streamRoot.count)
        }
        guard let path = Self.percentDecode(candidate), !path.isEmpty, Self.problem(in: path) == nil else { return .malformed }
        if path.split(separator: "/", omittingEmptySubsequences: false).first == Substring(Self.reservedSegment) { return .noStream }
        return .stream(path)
    }

    /// The index just past `://` when `text` starts with a URL scheme.
    static func endOfScheme(in text: Substring) -> Substring.Index? {
        guard let colon = text.firstIndex(of: ":") else { return nil }
        let rest = text[colon...]
        guard rest.hasPrefix("://"), text[..<colon].allSatisfy({ $0.isLetter || $0 == "+" || $0 == "-" || $0 == "." }) else { return nil }
        return text.index(colon, offsetBy: 3)
    }

    /// Why a decoded stream path is refused, if it is.
    static func problem(in path: String) -> String? {
        if path.utf8.contains(0) { return "stream paths must not contain NUL" }
        for segment in path.split(separator: "/", omittingEmptySubsequences: false) where segment == "." || segment == ".." {
            return "stream paths must not contain '.' or '..' segments"
        }
        return nil
    }

    static func splitQuery(_ uri: String) -> (Substring, Substring) {
        guard let mark = uri.firstIndex(of: "?") else { return (Substring(uri), "") }
        return (uri[..<mark], uri[uri.index(after: mark)...])
    }

    static func parseQuery(_ raw: Substring) -> [String: String]? {
        var result: [String: String] = [:]
        guard !raw.isEmpty else { return result }
        for pair in raw.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = percentDecode(parts[0], plusAsSpace: true) else { return nil }
            guard let value = percentDecode(parts.count > 1 ? parts[1] : "", plusAsSpace: true) else { return nil }
            if result[name] == nil { result[name] = value }
        }
        return result
    }

    /// Decodes `%XX` escapes; `nil` when an escape is malformed or the bytes are not UTF-8.
    static func percentDecode(_ text: Substring, plusAsSpace: Bool = false) -> String? {
        let utf8 = text.utf8
        if !utf8.contains(UInt8(ascii: "%")) && !(plusAsSpace && utf8.contains(UInt8(ascii: "+"))) { return String(text) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count)
        var index = utf8.startIndex
        while index < utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: "%") {
                let first = utf8.index(after: index)
                guard first < utf8.endIndex else { return nil }
                let second = utf8.index(after: first)
                guard second < utf8.endIndex, let high = hexValue(utf8[first]), let low = hexValue(utf8[second]) else { return nil }
                bytes.append(high << 4 | low)
                index = utf8.index(after: second)
            } else {
                bytes.append(plusAsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
                index = utf8.index(after: index)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
