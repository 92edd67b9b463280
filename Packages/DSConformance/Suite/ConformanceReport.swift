/// The outcome of one ``ConformanceCase``.
public struct ConformanceResult: Sendable {
    /// How a case ended.
    public enum Outcome: Sendable, Equatable {
        /// Every expectation held.
        case passed
        /// An expectation failed, the server misbehaved at the HTTP level, or the case ran out of time.
        case failed(String)
    }

    /// The section of the case.
    public let section: ConformanceSection
    /// The name of the case.
    public let name: String
    /// How it ended.
    public let outcome: Outcome
    /// How long it took.
    public let duration: Duration

    /// ``ConformanceCase/id`` of the case.
    public var id: String { "\(section): \(name)" }
    /// Whether the case passed.
    public var passed: Bool { outcome == .passed }

    /// The first line of the failure message, or `nil` when the case passed.
    public var failureSummary: String? {
        guard case .failed(let message) = outcome else { return nil }
        return message.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
    }

    /// `PASS §5.1 create: …` or `FAIL §5.6 read: … — <first line of the failure>`.
    public var line: String {
        if let failureSummary { return "FAIL \(id) — \(failureSummary)" }
        return "PASS \(id)"
    }
}

/// Everything a conformance run found.
public struct ConformanceReport: Sendable {
    /// One result per case that ran, in suite order.
    public let results: [ConformanceResult]
    /// The seed that drove the randomised (property-based) cases; pass it back to reproduce a run.
    public let seed: UInt64

    /// The cases that passed.
    public var passed: [ConformanceResult] { results.filter(\.passed) }
    /// The cases that failed.
    public var failed: [ConformanceResult] { results.filter { !$0.passed } }
    /// `N passed, N failed`.
    public var summary: String { "\(passed.count) passed, \(failed.count) failed" }
}
