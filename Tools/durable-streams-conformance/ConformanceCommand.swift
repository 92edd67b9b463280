import ArgumentParser
import DSConformance
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `durable-streams-conformance --run <base-url>`: runs the protocol conformance suite against a live server.
@main
struct ConformanceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "durable-streams-conformance",
        abstract: "Check a Durable Streams server against the protocol (PROTOCOL.md) over HTTP.",
        discussion: """
            Prints one line per test (PASS/FAIL, section and name, and the first line of any failure), \
            then 'N passed, N failed'. Exits 0 only when nothing failed.
            """
    )

    @Option(name: .customLong("run"), help: "The server's base URL, e.g. http://127.0.0.1:4437.")
    var baseURL: String

    @Option(help: "Run only tests whose section or name contains this text (case-insensitive).")
    var filter: String?

    @Option(name: .customLong("stream-root"), help: "URL path under which the server addresses streams.")
    var streamRoot = "/v1/stream/"

    @Option(help: "Seed for the property-based tests (printed on every run; pass it back to reproduce).")
    var seed: UInt64?

    @Option(help: "How many tests run at the same time.")
    var concurrency = 8

    @Flag(help: "List the selected tests without running them.")
    var list = false

    func validate() throws {
        guard baseURL.hasPrefix("http://") || baseURL.hasPrefix("https://") else {
            throw ValidationError("--run needs an http:// or https:// URL, got '\(baseURL)'")
        }
        guard concurrency > 0 else { throw ValidationError("--concurrency must be positive") }
    }

    func run() async throws {
        var configuration = ConformanceConfiguration(baseURL: baseURL, streamRoot: streamRoot, concurrency: concurrency)
        if let seed { configuration.seed = seed }
        let suite = ConformanceSuite(configuration: configuration)
        if list {
            for testCase in suite.cases(matching: filter) { print(testCase.id) }
            return
        }
        print("seed \(configuration.seed) (reproduce with --seed \(configuration.seed))")
        fflush(nil)
        let printer = OrderedPrinter(ids: suite.cases(matching: filter).map(\.id))
        let report = await suite.run(filter: filter) { printer.finished($0) }
        print(report.summary)
        fflush(nil)
        if !report.failed.isEmpty { throw ExitCode.failure }
    }
}

/// Prints result lines in suite order (grouped by section) as soon as every earlier case has finished.
final class OrderedPrinter: Sendable {
    private struct State {
        var pending: [String: ConformanceResult] = [:]
        var next = 0
    }

    private let ids: [String]
    private let state = Mutex(State())

    init(ids: [String]) { self.ids = ids }

    func finished(_ result: ConformanceResult) {
        state.withLock { state in
            state.pending[result.id] = result
            while state.next < ids.count, let ready = state.pending.removeValue(forKey: ids[state.next]) {
                print(ready.line)
                state.next += 1
            }
            fflush(nil)
        }
    }
}
