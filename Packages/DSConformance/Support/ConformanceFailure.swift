/// A failed expectation. The first line of `message` is what the report prints; later lines add detail.
struct ConformanceFailure: Error, CustomStringConvertible {
    let message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}

/// Fails with `message` unless `condition` holds.
func expect(_ condition: Bool, _ message: @autoclosure () -> String) throws {
    if !condition { throw ConformanceFailure(message()) }
}

/// Fails with `what: expected <expected>, got <actual>` unless the values are equal.
func expectEqual<T: Equatable>(_ actual: T, _ expected: T, _ what: @autoclosure () -> String) throws {
    if actual != expected {
        throw ConformanceFailure("\(what()): expected \(show(expected)), got \(show(actual))")
    }
}

/// A value as a report shows it: strings quoted, optionals unwrapped.
func show<T>(_ value: T) -> String {
    switch value {
    case let text as String: return String(reflecting: text)
    case let optional as String?: return optional.map { String(reflecting: $0) } ?? "nothing"
    default: return String(describing: value)
    }
}

/// Printable text for bytes: UTF-8 when valid (truncated), else a byte count.
func preview(_ bytes: [UInt8], limit: Int = 160) -> String {
    if let text = String(validating: bytes.prefix(limit), as: UTF8.self) {
        return String(reflecting: text) + (bytes.count > limit ? "… (\(bytes.count) bytes)" : "")
    }
    return "\(bytes.count) bytes [\(bytes.prefix(16).map { String($0, radix: 16) }.joined(separator: " "))\(bytes.count > 16 ? " …" : "")]"
}
