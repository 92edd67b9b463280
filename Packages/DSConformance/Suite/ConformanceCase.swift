/// One conformance check: a named, self-contained exchange with the server under test.
///
/// Every case creates its own uniquely named streams, so any number of cases can run at once against one server.
public struct ConformanceCase: Sendable, Identifiable {
    /// The specification section the case checks.
    public let section: ConformanceSection
    /// What the case checks, in a few words.
    public let name: String
    let body: @Sendable (ConformanceContext) async throws -> Void

    init(_ section: ConformanceSection, _ name: String, _ body: @escaping @Sendable (ConformanceContext) async throws -> Void) {
        self.section = section
        self.name = name
        self.body = body
    }

    /// `§5.1 create: returns 201 for a new stream` — unique within a suite; `--filter` matches against it.
    public var id: String { "\(section): \(name)" }
}
