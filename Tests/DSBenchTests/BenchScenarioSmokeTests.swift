import DSBenchKit
import DSTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Runs every scenario for a fraction of a second against an embedded server and checks that it spoke the
/// protocol without errors and wrote the documented JSON shape. No timing thresholds: numbers are only
/// required to exist.
struct BenchScenarioSmokeTests {
    static func smokeOptions(url: String, duration: Double = 5) -> BenchOptions {
        var options = BenchOptions(url: url)
        options.duration = duration
        options.warmup = 0.05
        options.connections = 4
        options.readers = 6
        options.appendIntervalsMs = [20]
        options.readMegabytes = 2
        options.createCount = 40
        options.idleReaders = 20
        options.producerDepth = 2
        options.liveThreads = 2  // live readers over two client loops, their stats merged
        options.serverPID = getpid()
        return options
    }

    /// Runs `scenario` for 5 s, again for 15 s and 45 s while a run completed no operation at all: a run's window
    /// is wall-clock time, and when the whole suite runs in parallel on two cores the process can be starved
    /// for all of it. Every run must be free of errors; the report returned is the last one.
    static func run(_ scenario: BenchScenario, on server: TestServer) async throws -> BenchReport {
        var report: BenchReport?
        for duration in [5.0, 15, 45] {
            let runner = try BenchRunner(options: smokeOptions(url: server.server.streamRootURL, duration: duration))
            let attempt = try await runner.run([scenario])
            let cases = attempt.results[scenario.rawValue]?.cases ?? []
            for item in cases {
                #expect(item.errors == 0, "\(scenario.rawValue) \(item.name): errors \(item.statusCounts)")
                #expect(item.unexpectedStatus == 0, "\(scenario.rawValue) \(item.name): statuses \(item.statusCounts)")
            }
            report = attempt
            let starved = cases.contains { $0.operations == 0 || $0.extra["appends"] == 0 }
            if !starved { break }
        }
        return try #require(report)
    }

    @Test(arguments: BenchScenario.allCases)
    func scenarioRunsAndReportsJSON(_ scenario: BenchScenario) async throws {
        try await TestServer.with { server in
            let report = try await Self.run(scenario, on: server)
            let data = try report.jsonData()

            let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            #expect(root["tool"] as? String == "durable-streams-bench")
            let results = try #require(root["results"] as? [String: Any])
            #expect(Array(results.keys) == [scenario.rawValue])
            let entry = try #require(results[scenario.rawValue] as? [String: Any])
            let cases = try #require(entry["cases"] as? [[String: Any]])
            #expect(!cases.isEmpty)
            for item in cases {
                let name = item["name"] as? String ?? "?"
                #expect(item["throughput"] is Double, "\(name)")
                #expect(item["unit"] is String, "\(name)")
                let latency = try #require(item["latency"] as? [String: Any], "\(name)")
                for key in ["p50_ms", "p99_ms", "max_ms", "count"] { #expect(latency[key] != nil, "\(name) latency.\(key)") }
                #expect((item["operations"] as? Int ?? 0) > 0, "\(name) completed no operation")
                #expect(item["errors"] as? Int == 0, "\(name) errors \(item["status_counts"] ?? "")")
                #expect(item["unexpected_status"] as? Int == 0, "\(name) statuses \(item["status_counts"] ?? "")")
            }

            let decoded = try BenchReport.decode(data)
            #expect(decoded.results[scenario.rawValue]?.cases.count == cases.count)
        }
    }

    @Test func liveScenariosDeliverEveryAppendToEveryReader() async throws {
        for scenario in [BenchScenario.longPoll, .sse] {
            try await TestServer.with { server in
                let report = try await Self.run(scenario, on: server)
                let result = try #require(report.results[scenario.rawValue]?.cases.first)
                #expect((result.extra["appends"] ?? 0) > 0)
                #expect(result.extra["missed_deliveries"] == 0, "\(scenario.rawValue): \(result.extra)")
                #expect(result.extra["incomplete_appends"] == 0, "\(scenario.rawValue): \(result.extra)")
                // With a server PID: RSS when measuring started, halfway and at the end, and every sample.
                for point in ["start", "mid", "end"] {
                    #expect(result.extra["rss_measure_\(point)_kib"] != nil, "\(scenario.rawValue): \(result.extra)")
                }
                let rss = try #require(result.rss)
                #expect(rss.series?.count == rss.samples)
            }
        }
    }

    /// The server ends every SSE response after a second: the readers reconnect from the last control event's
    /// offset and still get every append once, and the kernel's arrival time never comes after the parse.
    @Test func sseReadersReconnectWithoutMissingAnAppend() async throws {
        try await TestServer.with(configure: { $0.sseConnectionLifetime = .seconds(1) }) { server in
            let report = try await Self.run(.sse, on: server)
            let result = try #require(report.results[BenchScenario.sse.rawValue]?.cases.first)
            #expect((result.extra["reconnects"] ?? 0) > 0, "\(result.extra)")
            #expect(result.extra["missed_deliveries"] == 0, "\(result.extra)")
            #expect(result.extra["incomplete_appends"] == 0, "\(result.extra)")
            let arrived = try #require(result.extra["all_readers_max_ms"])
            let parsed = try #require(result.extra["parsed_all_readers_max_ms"])
            #expect(arrived <= parsed, "\(result.extra)")
        }
    }

    @Test func createReportsMemoryPerStreamWithAServerPID() async throws {
        try await TestServer.with { server in
            let runner = try BenchRunner(options: Self.smokeOptions(url: server.server.streamRootURL))
            let result = try #require(try await runner.run([.create]).results["create"]?.cases.first)
            #expect(result.extra["streams_created"] == 40)
            #expect(result.extra["bytes_per_stream"] != nil)
            #expect(result.extra["anon_bytes_per_stream"] != nil, "heap and mapped-file parts: \(result.extra)")
            #expect(result.extra["file_mapped_bytes_per_stream"] != nil, "heap and mapped-file parts: \(result.extra)")
        }
    }

    @Test func idleReportsMemoryPerReaderOfEachKind() async throws {
        try await TestServer.with { server in
            let runner = try BenchRunner(options: Self.smokeOptions(url: server.server.streamRootURL))
            let cases = try #require(try await runner.run([.idle]).results["idle"]?.cases)
            #expect(cases.map(\.name) == ["long-poll-waiter", "sse-connection"])
            for item in cases {
                #expect(item.extra["readers"] == 20)
                #expect(item.extra["bytes_per_reader"] != nil, "\(item.name)")
            }
            // Nothing is appended, so no long-poll is answered with data; every SSE connection answered 200.
            #expect(cases[0].statusCounts["200"] == nil)
            #expect(cases[1].statusCounts["200"] == 20)
        }
    }
}
