import ArgumentParser
import DSConformance

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
        let report = await suite.run(filter: filter) { result in
            print(result.line)
            fflush(nil)
        }
        print(report.summary)
        fflush(nil)
        if !report.failed.isEmpty { throw ExitCode.failure }
    }
}
