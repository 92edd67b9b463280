import ArgumentParser
import DSBenchKit
import Foundation
import NIOCore

/// `durable-streams-bench`: a load generator and benchmark for any Durable Streams server URL.
@main
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "durable-streams-bench",
        abstract: "Benchmarks a Durable Streams server, or serves a plain NIO baseline.",
        subcommands: [RunCommand.self, BaselineServerCommand.self],
        defaultSubcommand: RunCommand.self
    )
}

/// `baseline-server`: a SwiftNIO server answering 204 to everything, the framework ceiling for `append`.
struct BaselineServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "baseline-server",
        abstract: "Serve 204 No Content to every request with SwiftNIO's HTTP/1.1 pipeline (a framework baseline)."
    )

    @Option(help: "Interface to bind (loopback).")
    var host = "127.0.0.1"

    @Option(help: "TCP port.")
    var port = 4482

    @Option(help: "Event loop threads (the server under test uses one per core).")
    var threads = System.coreCount

    func run() async throws {
        try await BaselineServer.run(host: host, port: port, threads: threads)
    }
}

/// Runs scenarios against a server (the default subcommand).
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Benchmarks a Durable Streams server: append, append-producer, append-json, read, long-poll, sse, create, idle.",
        discussion: "Run against release builds on loopback. Scenarios: \(BenchScenario.allCases.map(\.rawValue).joined(separator: ", ")).",
    )

    @Option(help: "Stream root URL of the server, e.g. http://127.0.0.1:4437/v1/stream/")
    var url: String

    @Option(name: .customLong("scenario"), help: "Comma-separated scenario names, or 'all'.")
    var scenarios: String = "all"

    @Option(help: "Measured seconds per case.")
    var duration: Double = 10

    @Option(help: "Seconds of load before measuring.")
    var warmup: Double = 1

    @Option(help: "Keep-alive connections (append, read, create).")
    var connections: Int = 64

    @Option(help: "Client event loop threads.")
    var threads: Int = 1

    @Option(name: .customLong("live-threads"), help: "Threads for the long-poll and sse readers (default: --threads).")
    var liveThreads: Int?

    @Flag(name: .customLong("no-create"), help: "Do not create streams; accept any 2xx (plain HTTP baselines such as nginx 'return 204').")
    var noCreate = false

    @Option(name: .customLong("server-pid"), help: "PID of the server, to report its RSS (Linux /proc).")
    var serverPID: Int32?

    @Option(help: "Live readers for long-poll and sse.")
    var readers: Int = 1000

    @Option(name: .customLong("idle-readers"), help: "Idle long-poll waiters, and as many idle SSE connections, for the idle scenario.")
    var idleReaders: Int = 5000

    @Option(name: .customLong("append-interval-ms"), help: "Comma-separated writer intervals for long-poll and sse (one case each).")
    var appendIntervals: String = "10,100"

    @Option(name: .customLong("read-mb"), help: "Size of the stream read by the read scenario, in MiB.")
    var readMegabytes: Int = 100

    @Option(name: .customLong("read-connections"), help: "Parallel catch-up readers in the read scenario.")
    var readConnections: Int = 1

    @Option(name: .customLong("create-count"), help: "Streams created by the create scenario.")
    var createCount: Int = 100_000

    @Option(name: .customLong("producer-depth"), help: "Requests each producer keeps pipelined on its one connection (append-producer).")
    var producerDepth: Int = 4

    @Option(name: .customLong("message-bytes"), help: "Bytes per appended message.")
    var messageBytes: Int = 100

    @Option(name: .customLong("json"), help: "Write all results to this JSON file.")
    var jsonPath: String?

    func validate() throws {
        guard duration > 0, duration <= 3600 else { throw ValidationError("--duration must be in (0, 3600]") }
        guard warmup >= 0, warmup <= 600 else { throw ValidationError("--warmup must be in [0, 600]") }
        guard (1...20_000).contains(connections) else { throw ValidationError("--connections must be 1...20000") }
        guard (1...64).contains(threads) else { throw ValidationError("--threads must be 1...64") }
        if let liveThreads, !(1...64).contains(liveThreads) { throw ValidationError("--live-threads must be 1...64") }
        guard (1...20_000).contains(readers) else { throw ValidationError("--readers must be 1...20000") }
        guard (1...10_000).contains(idleReaders) else { throw ValidationError("--idle-readers must be 1...10000") }
        guard let intervals = Self.intervals(appendIntervals), !intervals.isEmpty, intervals.allSatisfy({ (1...60_000).contains($0) }) else {
            throw ValidationError("--append-interval-ms must list values in 1...60000")
        }
        guard (1...10_000).contains(readMegabytes) else { throw ValidationError("--read-mb must be 1...10000") }
        guard (1...1_000).contains(readConnections) else { throw ValidationError("--read-connections must be 1...1000") }
        guard (1...10_000_000).contains(createCount) else { throw ValidationError("--create-count must be 1...10000000") }
        guard (1...64).contains(producerDepth) else { throw ValidationError("--producer-depth must be 1...64") }
        guard (1...1_048_576).contains(messageBytes) else { throw ValidationError("--message-bytes must be 1...1048576") }
        _ = try BenchScenario.parseList(scenarios)
    }

    private static func intervals(_ text: String) -> [Int]? {
        let values = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        return values.contains(nil) ? nil : values.compactMap { $0 }
    }

    func run() async throws {
        var options = BenchOptions(url: url)
        options.duration = duration
        options.warmup = warmup
        options.connections = connections
        options.threads = threads
        options.liveThreads = liveThreads
        options.noCreate = noCreate
        options.serverPID = serverPID
        options.readers = readers
        options.idleReaders = idleReaders
        options.appendIntervalsMs = Self.intervals(appendIntervals) ?? [10]
        options.readMegabytes = readMegabytes
        options.readConnections = readConnections
        options.createCount = createCount
        options.producerDepth = producerDepth
        options.messageBytes = messageBytes
        let selected = try BenchScenario.parseList(scenarios)
        let runner = try BenchRunner(options: options)
        let report = try await runner.run(selected) { line in
            print(line)
            fflush(nil)
        }
        if let jsonPath {
            try report.jsonData().write(to: URL(fileURLWithPath: jsonPath))
            print("wrote \(jsonPath)")
        }
    }
}
