/// A section of the protocol specification (PROTOCOL.md) that a group of conformance cases checks.
public struct ConformanceSection: Sendable, Hashable, CustomStringConvertible {
    /// The section number as the specification writes it, e.g. `5.2.1`.
    public let number: String
    /// A short lowercase title used in report lines, e.g. `idempotent producer`.
    public let title: String

    /// Creates a section.
    public init(number: String, title: String) {
        self.number = number
        self.title = title
    }

    /// `§5.2.1 idempotent producer`.
    public var description: String { "§\(number) \(title)" }
}

extension ConformanceSection {
    static let streamModel = ConformanceSection(number: "4", title: "stream model")
    static let closure = ConformanceSection(number: "4.1", title: "closure")
    static let forks = ConformanceSection(number: "4.2", title: "fork")
    static let create = ConformanceSection(number: "5.1", title: "create")
    static let append = ConformanceSection(number: "5.2", title: "append")
    static let producers = ConformanceSection(number: "5.2.1", title: "idempotent producer")
    static let close = ConformanceSection(number: "5.3", title: "close")
    static let delete = ConformanceSection(number: "5.4", title: "delete")
    static let metadata = ConformanceSection(number: "5.5", title: "head")
    static let catchUp = ConformanceSection(number: "5.6", title: "read")
    static let longPoll = ConformanceSection(number: "5.7", title: "long-poll")
    static let sse = ConformanceSection(number: "5.8", title: "sse")
    static let offsets = ConformanceSection(number: "8", title: "offsets")
    static let contentTypes = ConformanceSection(number: "9", title: "content types")
    static let caching = ConformanceSection(number: "10", title: "caching")
    static let securityHeaders = ConformanceSection(number: "12.7", title: "security headers")
}
