import Foundation

/// What to measure and how hard; every load is bounded in time and count.
public struct BenchOptions: Codable, Sendable {
    /// The stream root URL of the server under test, e.g. `http://127.0.0.1:4437/v1/stream/`.
    public var url: String
    /// Measured seconds per case (after warm-up).
    public var duration: Double = 10
    /// Seconds of load before measuring starts.
    public var warmup: Double = 1
    /// Keep-alive connections for the append, read and create scenarios.
    public var connections: Int = 64
    /// Client event loop threads.
    public var threads: Int = 1
    /// Threads the long-poll and SSE readers are spread over, each an epoll loop over plain sockets (`nil`:
    /// ``threads``). One thread parsing 1,000 readers' deliveries and sending their next polls one after another
    /// is itself a bottleneck.
    public var liveThreads: Int?
    /// Do not create streams first and accept any 2xx (for a plain HTTP baseline such as nginx `return 204`).
    public var noCreate = false
    /// The server's PID, to sample its RSS from `/proc/PID/status`.
    public var serverPID: Int32?
    /// Live readers for `long-poll` and `sse`.
    public var readers = 1000
    /// Idle long-poll waiters, and as many idle SSE connections, opened by `idle`.
    public var idleReaders = 5000
    /// Intervals between the writer's appends in `long-poll` and `sse`, in milliseconds (one case each).
    public var appendIntervalsMs = [10, 100]
    /// Size of the stream read by `read`, in MiB.
    public var readMegabytes = 100
    /// Parallel catch-up readers in `read`.
    public var readConnections = 1
    /// Streams created by `create` (memory is reported per stream over this many).
    public var createCount = 100_000
    /// Longest time `create` may take, in seconds.
    public var createTimeLimit: Double = 120
    /// Requests in flight per idempotent producer in `append-producer`, each on its own connection.
    public var producerDepth = 4
    /// Bytes per appended message.
    public var messageBytes = 100
    /// Messages per JSON batch in `append-json`.
    public var jsonBatch = 10

    /// Creates options for `url` with the defaults above.
    public init(url: String) { self.url = url }
}

/// The scenarios, selectable by name.
public enum BenchScenario: String, CaseIterable, Codable, Sendable {
    case append
    case appendProducer = "append-producer"
    case appendJSON = "append-json"
    case read
    case longPoll = "long-poll"
    case sse
    case create
    case idle

    /// Parses a comma-separated list of names (`all` for every scenario).
    public static func parseList(_ text: String) throws(BenchError) -> [BenchScenario] {
        var result: [BenchScenario] = []
        for name in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !name.isEmpty {
            if name == "all" { return allCases }
            guard let scenario = BenchScenario(rawValue: name) else { throw .unknownScenario(name) }
            if !result.contains(scenario) { result.append(scenario) }
        }
        return result
    }
}
