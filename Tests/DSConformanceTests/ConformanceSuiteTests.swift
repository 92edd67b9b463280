import DSConformance
import DSTestSupport
import Testing

/// The behaviour suite: the whole protocol conformance suite against an embedded server, once per store backend.
struct ConformanceSuiteTests {
    @Test(arguments: StoreKind.allCases)
    func wholeSuitePasses(store: StoreKind) async throws {
        // Cases that wait for the server to end a live read take at least these long, so they are kept short; but
        // an SSE connection must outlive the suite's own wait for an event it delivers (its request limit, 20 s),
        // or a case appending while connected fails whenever the append is slower than the connection's lifetime,
        // and the closed-stream long-poll case can only pass while its open-stream poll has not yet timed out.
        let report = try await TestServer.with(store, configure: {
            $0.longPollTimeout = .seconds(5)
            $0.sseConnectionLifetime = .seconds(25)
        }) { server in
            let suite = ConformanceSuite(
                configuration: ConformanceConfiguration(baseURL: server.server.baseURL, streamRoot: server.server.options.streamRoot)
            )
            return await suite.run()
        }
        // Only counts go into the expectations, so a failure prints the readable list below rather than a dump.
        let failedCount = report.failed.count
        let failures = report.failed.map(\.line).joined(separator: "\n")
        #expect(failedCount == 0, "\(store) store: \(report.summary) (seed \(report.seed))\n\(failures)")
        let ranCount = report.results.count
        let caseCount = ConformanceSuite(configuration: .init(baseURL: "http://127.0.0.1")).cases.count
        #expect(ranCount == caseCount)
    }

    @Test func suiteHasAtLeast250DistinctCases() {
        let cases = ConformanceSuite(configuration: .init(baseURL: "http://127.0.0.1")).cases
        #expect(cases.count >= 250)
        #expect(Set(cases.map(\.id)).count == cases.count, "case ids must be unique")
    }

    @Test func filterMatchesSectionsAndNames() {
        let suite = ConformanceSuite(configuration: .init(baseURL: "http://127.0.0.1"))
        let producers = suite.cases(matching: "§5.2.1")
        #expect(!producers.isEmpty)
        #expect(producers.allSatisfy { $0.section.number == "5.2.1" })
        let byName = suite.cases(matching: "ETAG")
        #expect(!byName.isEmpty)
        #expect(byName.allSatisfy { $0.id.lowercased().contains("etag") })
        #expect(suite.cases(matching: nil).count == suite.cases.count)
    }
}
