import AsyncHTTPClient
import NIOCore

/// The Durable Streams protocol conformance suite: black-box checks of PROTOCOL.md §4, §5, §8, §9, §10 and §12.7
/// over HTTP against any server.
///
/// ```swift
/// let suite = ConformanceSuite(configuration: .init(baseURL: "http://127.0.0.1:4437"))
/// let report = await suite.run()
/// print(report.summary)   // "312 passed, 0 failed"
/// ```
///
/// The suite asserts only what the specification requires or recommends; implementation-defined details
/// (offset format, chunk size, long-poll timeout, error bodies) are never asserted.
public struct ConformanceSuite: Sendable {
    /// The server under test and the run settings.
    public let configuration: ConformanceConfiguration
    /// Every case, grouped by specification section in document order.
    public let cases: [ConformanceCase]

    /// Creates the suite for one server.
    public init(configuration: ConformanceConfiguration) {
        self.configuration = configuration
        self.cases = ConformanceCatalog.all
    }

    /// The cases whose ``ConformanceCase/id`` contains `filter` (case-insensitively); all cases for `nil` or empty.
    public func cases(matching filter: String?) -> [ConformanceCase] {
        guard let filter, !filter.isEmpty else { return cases }
        let needle = filter.lowercased()
        return cases.filter { $0.id.lowercased().contains(needle) }
    }

    /// Runs the cases matching `filter`, at most ``ConformanceConfiguration/concurrency`` at a time.
    ///
    /// `onResult` is called once per case as soon as it finishes (from any task). The returned report lists
    /// the results in suite order.
    public func run(
        filter: String? = nil,
        onResult: @escaping @Sendable (ConformanceResult) -> Void = { _ in }
    ) async -> ConformanceReport {
        let selected = cases(matching: filter)
        var poolConfiguration = HTTPClient.Configuration.ConnectionPool()
        poolConfiguration.concurrentHTTP1ConnectionsPerHostSoftLimit = max(64, configuration.concurrency * 8)
        var clientConfiguration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(10)),
            connectionPool: poolConfiguration,
            decompression: .disabled
        )
        clientConfiguration.httpVersion = .http1Only
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
        let configuration = self.configuration

        var results = [ConformanceResult?](repeating: nil, count: selected.count)
        await withTaskGroup(of: (Int, ConformanceResult).self) { group in
            var next = 0
            func startNext() {
                guard next < selected.count else { return }
                let index = next
                let testCase = selected[index]
                next += 1
                group.addTask {
                    let result = await Self.runOne(testCase, client: client, configuration: configuration)
                    onResult(result)
                    return (index, result)
                }
            }
            for _ in 0..<configuration.concurrency { startNext() }
            while let (index, result) = await group.next() {
                results[index] = result
                startNext()
            }
        }
        try? await client.shutdown()
        return ConformanceReport(results: results.compactMap { $0 }, seed: configuration.seed)
    }

    private static func runOne(
        _ testCase: ConformanceCase,
        client: HTTPClient,
        configuration: ConformanceConfiguration
    ) async -> ConformanceResult {
        let context = ConformanceContext(
            client: client,
            configuration: configuration,
            seed: SeededRandom.derive(configuration.seed, testCase.id)
        )
        let clock = ContinuousClock()
        let start = clock.now
        let outcome: ConformanceResult.Outcome = await withTaskGroup(of: ConformanceResult.Outcome?.self) { group in
            group.addTask {
                do {
                    try await testCase.body(context)
                    return .passed
                } catch let failure as ConformanceFailure {
                    return .failed(failure.message)
                } catch {
                    return .failed("unexpected error: \(error)")
                }
            }
            group.addTask {
                try? await Task.sleep(for: configuration.caseLimit)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? .failed("did not finish within \(configuration.caseLimit)")
        }
        return ConformanceResult(section: testCase.section, name: testCase.name, outcome: outcome, duration: clock.now - start)
    }
}
