import Foundation

/// Everything one run measured, as written by `--json`: results are keyed by scenario name.
public struct BenchReport: Codable, Sendable {
    /// Always `durable-streams-bench`.
    public var tool = "durable-streams-bench"
    /// The server URL measured.
    public var url: String
    /// When the run started (ISO 8601, UTC).
    public var startedAt: String
    /// The options in force.
    public var options: BenchOptions
    /// How loaded the machine was.
    public var machine: MachineInfo
    /// Results keyed by scenario name (`append`, `read`, …).
    public var results: [String: ScenarioResult]

    /// Pretty, key-sorted JSON with snake_case keys.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return try encoder.encode(self)
    }

    /// Decodes what ``jsonData()`` wrote.
    public static func decode(_ data: Data) throws -> BenchReport {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(BenchReport.self, from: data)
    }
}

/// Facts about the machine during the run.
public struct MachineInfo: Codable, Sendable {
    /// Online cores.
    public var cores: Int
    /// 1-minute load average when the run started (other work on the machine competes for the cores).
    public var loadAverageStart: Double?
    /// 1-minute load average when it ended.
    public var loadAverageEnd: Double?
}

/// The cases one scenario measured.
public struct ScenarioResult: Codable, Sendable {
    /// One entry per case (e.g. `one-stream` and `64-streams` for `append`).
    public var cases: [CaseResult]
    /// How to read the numbers.
    public var notes: [String]
}

/// One measured case: throughput, latency and error counts.
public struct CaseResult: Codable, Sendable {
    /// Case name, unique within its scenario.
    public var name: String
    /// Measured seconds (after warm-up).
    public var seconds: Double
    /// Operations completed successfully in that time.
    public var operations: Int
    /// Operations per second, or megabytes per second for reads (see ``unit``).
    public var throughput: Double
    /// Unit of ``throughput``.
    public var unit: String
    /// Latency of each operation.
    public var latency: LatencySummary
    /// Transport errors (connection resets, timeouts).
    public var errors: Int
    /// Responses with an unexpected status.
    public var unexpectedStatus: Int
    /// Count of each response status seen.
    public var statusCounts: [String: Int]
    /// Scenario-specific numbers (e.g. `bytes_per_stream`, `all_readers_p99_ms`).
    public var extra: [String: Double]
    /// Server RSS over the case, when `--server-pid` was given.
    public var rss: RSSSummary?
    /// CPU time the server and the load generator used during the case.
    public var cpu: CPUUsage?
}
