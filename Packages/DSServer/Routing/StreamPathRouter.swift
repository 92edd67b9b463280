/// Splits a request target into the stream path below the stream root and the query, and recognises
/// the reserved `__ds` namespace.
///
/// It runs once per request, so it works on the target's UTF-8 bytes: `String`'s `Character` operations
/// (`hasPrefix`, `dropFirst`, `split`) pay for grapheme breaking on every call.
struct StreamPathRouter {
    /// The URL path prefix of every stream, starting and ending with `/`.
    let streamRoot: String

    /// The first stream-root-relative segment reserved for protocol control APIs.
    static let reservedSegment = "__ds"

    enum Route: Equatable {
        /// A stream operation.
        case stream(path: String, urlPath: Substring, query: QueryParameters)
        /// A control API under `{root}__ds/` (subscriptions, JWKS).
        case reserved(subpath: String, query: [String: String])
        /// Outside the stream root.
        case outside
        /// Malformed percent-encoding or a forbidden path segment.
        case invalid(String)
    }

    func route(_ uri: String) -> Route {
        let utf8 = uri.utf8
        let queryMark = utf8.firstIndex(of: UInt8(ascii: "?"))
        let pathEnd = queryMark ?? utf8.endIndex
        // The root itself without its trailing slash is not a stream either.
        guard let rootEnd = Self.end(ofPrefix: streamRoot, in: utf8[utf8.startIndex..<pathEnd]) else { return .outside }
        let rawQuery = queryMark.map { Substring(utf8[utf8.index(after: $0)...]) } ?? ""
        guard let query = QueryParameters(raw: rawQuery) else { return .invalid("malformed query string") }
        guard let path = Self.percentDecode(Substring(utf8[rootEnd..<pathEnd])) else {
            return .invalid("malformed percent-encoding in the stream path")
        }
        if let problem = Self.problem(in: path) { return .invalid(problem) }
        if let subpathStart = Self.end(ofPrefix: Self.reservedSegment, in: path.utf8[...]),
            subpathStart == path.utf8.endIndex || path.utf8[subpathStart] == UInt8(ascii: "/")
        {
            return .reserved(subpath: String(Substring(path.utf8[subpathStart...])), query: query.all)
        }
        // A slice of the target: no new string.
        return .stream(path: path, urlPath: Substring(utf8[utf8.startIndex..<pathEnd]), query: query)
    }

    /// The index in `text` just past `prefix`, when `text` starts with it (byte for byte).
    private static func end(ofPrefix prefix: String, in text: Substring.UTF8View) -> Substring.UTF8View.Index? {
        var index = text.startIndex
        for byte in prefix.utf8 {
            guard index < text.endIndex, text[index] == byte else { return nil }
            text.formIndex(after: &index)
        }
        return index
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

    /// Splits any request target at its first `?` into the path and the raw query.
    static func splitQuery(_ uri: String) -> (Substring, Substring) {
        let utf8 = uri.utf8
        guard let mark = utf8.firstIndex(of: UInt8(ascii: "?")) else { return (Substring(uri), "") }
        return (Substring(utf8[utf8.startIndex..<mark]), Substring(utf8[utf8.index(after: mark)...]))
    }
}
