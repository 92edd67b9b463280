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
        // Works on the UTF-8 bytes: walking `Character`s (hasPrefix, dropFirst, split) was the largest cost of
        // our own code per append in the profile.
        let utf8 = uri.utf8
        let queryMark = utf8.firstIndex(of: UInt8(ascii: "?"))
        let pathEnd = queryMark ?? utf8.endIndex
        let rootUTF8 = streamRoot.utf8
        guard utf8.distance(from: utf8.startIndex, to: pathEnd) >= rootUTF8.count,
            utf8[utf8.startIndex..<utf8.index(utf8.startIndex, offsetBy: rootUTF8.count)].elementsEqual(rootUTF8)
        else {
            // The root itself without its trailing slash is not a stream either.
            return .outside
        }
        var query: [String: String] = [:]
        if let queryMark {
            guard let parsed = Self.parseQuery(uri[utf8.index(after: queryMark)...]) else { return .invalid("malformed query string") }
            query = parsed
        }
        let encodedStreamPath = uri[utf8.index(utf8.startIndex, offsetBy: rootUTF8.count)..<pathEnd]
        guard let path = Self.percentDecode(encodedStreamPath) else { return .invalid("malformed percent-encoding in the stream path") }
        if let problem = Self.problem(in: path) { return .invalid(problem) }
        if Self.firstSegmentIsReserved(path) {
            return .reserved(subpath: String(path.utf8.dropFirst(Self.reservedSegment.utf8.count))!, query: query)
        }
        let urlPath = queryMark == nil ? uri : String(uri[..<pathEnd])
        return .stream(path: path, urlPath: urlPath, query: query)
    }

    /// Whether the first `/`-separated segment of `path` is exactly the reserved segment.
    static func firstSegmentIsReserved(_ path: String) -> Bool {
        let utf8 = path.utf8
        let reserved = reservedSegment.utf8
        guard utf8.count >= reserved.count, utf8.prefix(reserved.count).elementsEqual(reserved) else { return false }
        return utf8.count == reserved.count || utf8.dropFirst(reserved.count).first == UInt8(ascii: "/")
    }

    /// Resolves a `Stream-Forked-From` value: a path under the stream root, or a root-relative stream path.
    func forkSourcePath(_ value: String) -> String? {
        var candidate = Substring(value)
        if let schemeEnd = Self.endOfScheme(in: candidate) {
            // A full URL: keep only its path.
            let afterScheme = candidate[schemeEnd...]
            guard let slash = afterScheme.firstIndex(of: "/") else { return nil }
            candidate = afterScheme[slash...]
        }
        if candidate.hasPrefix("/") {
            guard candidate.hasPrefix(streamRoot) else { return nil }
            candidate = candidate.dropFirst(streamRoot.count)
        }
        guard let path = Self.percentDecode(candidate), !path.isEmpty, Self.problem(in: path) == nil else { return nil }
        if path.split(separator: "/", omittingEmptySubsequences: false).first == Substring(Self.reservedSegment) { return nil }
        return path
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
        var segmentLength = 0
        var segmentDots = 0
        for byte in path.utf8 {
            if byte == 0 { return "stream paths must not contain NUL" }
            if byte == UInt8(ascii: "/") {
                if segmentLength > 0 && segmentLength == segmentDots && segmentDots <= 2 { return dotSegmentProblem }
                segmentLength = 0
                segmentDots = 0
            } else {
                segmentLength += 1
                if byte == UInt8(ascii: ".") { segmentDots += 1 }
            }
        }
        if segmentLength > 0 && segmentLength == segmentDots && segmentDots <= 2 { return dotSegmentProblem }
        return nil
    }

    private static let dotSegmentProblem = "stream paths must not contain '.' or '..' segments"

    static func parseQuery(_ raw: Substring) -> [String: String]? {
        var result: [String: String] = [:]
        guard !raw.isEmpty else { return result }
        for pair in raw.utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let equals = pair.firstIndex(of: UInt8(ascii: "="))
            let rawName = Substring(pair[pair.startIndex..<(equals ?? pair.endIndex)])
            let rawValue = equals.map { Substring(pair[pair.index(after: $0)...]) } ?? ""
            guard let name = percentDecode(rawName, plusAsSpace: true) else { return nil }
            guard let value = percentDecode(rawValue, plusAsSpace: true) else { return nil }
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
