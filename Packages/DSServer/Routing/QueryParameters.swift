/// The query parameters of a stream request: percent-decoded `name=value` pairs (`+` is a space), the first
/// occurrence of a name winning.
///
/// A request arriving over HTTP keeps its query as sent and decodes a parameter when it is looked up. A request
/// reads two or three parameters; a dictionary built for each (a hash per name, a string per value, the table
/// itself) was a measurable part of a live read's cost. Malformed escapes are refused when the request is routed,
/// before any lookup.
public struct QueryParameters: Sendable, Equatable, ExpressibleByDictionaryLiteral, CustomStringConvertible {
    private enum Storage: Sendable {
        /// The query as sent (without `?`), with its escapes already checked.
        case raw(Substring)
        case decoded([String: String])
    }

    private let storage: Storage

    /// Parameters from decoded names and values.
    public init(_ parameters: [String: String]) {
        storage = .decoded(parameters)
    }

    /// Parameters from decoded names and values.
    public init(dictionaryLiteral elements: (String, String)...) {
        var parameters: [String: String] = [:]
        for (name, value) in elements where parameters[name] == nil { parameters[name] = value }
        storage = .decoded(parameters)
    }

    /// The parameters of a raw query (the part after `?`); `nil` when an escape is malformed or does not decode to UTF-8.
    init?(raw: Substring) {
        var valid = true
        Self.forEachPair(in: raw) { bytes, name, value in
            // Text without escapes is valid as it is (it came from a `String`); only escaped text needs decoding to check.
            if Self.needsDecoding(bytes, name) && Self.decode(bytes, name) == nil
                || Self.needsDecoding(bytes, value) && Self.decode(bytes, value) == nil
            {
                valid = false
                return true
            }
            return false
        }
        guard valid else { return nil }
        storage = .raw(raw)
    }

    /// The decoded value of the first parameter called `name`, if any.
    public subscript(name: String) -> String? {
        switch storage {
        case .decoded(let parameters):
            return parameters[name]
        case .raw(let raw):
            var found: String?
            var name = name
            name.withUTF8 { wanted in
                Self.forEachPair(in: raw) { bytes, rawName, rawValue in
                    let matches: Bool
                    if Self.needsDecoding(bytes, rawName) {
                        matches = Self.decode(bytes, rawName).map { $0.utf8.elementsEqual(wanted) } ?? false
                    } else {
                        matches = rawName.count == wanted.count && UnsafeBufferPointer(rebasing: bytes[rawName]).elementsEqual(wanted)
                    }
                    guard matches else { return false }
                    found = Self.decode(bytes, rawValue)
                    return true
                }
            }
            return found
        }
    }

    /// Every parameter, decoded.
    public var all: [String: String] {
        switch storage {
        case .decoded(let parameters):
            return parameters
        case .raw(let raw):
            var parameters: [String: String] = [:]
            Self.forEachPair(in: raw) { bytes, rawName, rawValue in
                if let name = Self.decode(bytes, rawName), parameters[name] == nil {
                    parameters[name] = Self.decode(bytes, rawValue)
                }
                return false
            }
            return parameters
        }
    }

    /// Whether there are no parameters.
    public var isEmpty: Bool { all.isEmpty }

    public var description: String { all.description }

    public static func == (lhs: QueryParameters, rhs: QueryParameters) -> Bool { lhs.all == rhs.all }

    /// Calls `body` with the query's bytes and the ranges of the raw name and value of each non-empty
    /// `&`-separated pair, in order, until it returns true. Works on the bytes in place: no substring per pair.
    private static func forEachPair(in raw: Substring, _ body: (UnsafeBufferPointer<UInt8>, Range<Int>, Range<Int>) -> Bool) {
        var raw = raw
        raw.withUTF8 { bytes in
            var pairStart = 0
            while pairStart < bytes.count {
                var pairEnd = pairStart
                var equals: Int?
                while pairEnd < bytes.count && bytes[pairEnd] != UInt8(ascii: "&") {
                    if equals == nil && bytes[pairEnd] == UInt8(ascii: "=") { equals = pairEnd }
                    pairEnd += 1
                }
                if pairStart < pairEnd {
                    let name = pairStart..<(equals ?? pairEnd)
                    let value = equals.map { ($0 + 1)..<pairEnd } ?? pairEnd..<pairEnd
                    if body(bytes, name, value) { return }
                }
                pairStart = pairEnd + 1
            }
        }
    }

    private static func needsDecoding(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        bytes[range].contains { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") }
    }

    /// The decoded text of `range`; `nil` when an escape is malformed or the result is not UTF-8.
    private static func decode(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String? {
        let text = UnsafeBufferPointer(rebasing: bytes[range])
        guard needsDecoding(bytes, range) else { return String(decoding: text, as: UTF8.self) }
        return StreamPathRouter.percentDecode(Substring(decoding: text, as: UTF8.self), plusAsSpace: true)
    }
}
