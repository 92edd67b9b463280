import NIOCore

/// `idle`: what an idle live reader costs the server. Opens `--idle-readers` long-poll waiters, then as many
/// SSE connections, each waiting at the tail of one of a set of streams, and reports the server's RSS growth
/// per reader for each kind (needs `--server-pid`), and its RSS once every reader has hung up again.
enum IdleScenario {
    /// Readers per stream: many streams each with a few readers, as a chat or change feed has.
    static let readersPerStream = 10

    static func run(_ context: RunContext) async throws -> ScenarioResult {
        let options = context.options
        guard let pid = options.serverPID else {
            throw BenchError.setupFailed("idle measures the server's memory: pass --server-pid")
        }
        let count = options.idleReaders
        let streams = (0..<max(1, count / readersPerStream)).map { context.streamName("idle", $0) }
        let setup = try await context.setupClient()
        for stream in streams { try await context.createStream(stream, contentType: "text/plain", using: setup) }
        setup.close()

        // The reader connections themselves (channel, pipeline, decoder) are part of each reader's cost, so
        // the baseline is taken before any of them exists.
        let baseline = try await settledRSS(pid: pid, on: context.loops[0])
        let meter = context.meter()
        let started = BenchClock.now()
        let longPoll = try await open(count, mode: "long-poll", streams: streams, context: context)
        let withLongPoll = try await settledRSS(pid: pid, on: context.loops[0])
        let sse = try await open(count, mode: "sse", streams: streams, context: context)
        let withBoth = try await settledRSS(pid: pid, on: context.loops[0])
        let seconds = Double(BenchClock.now() - started) / 1e9
        let resources = await meter.finish()

        let longPollStatuses = try await statuses(longPoll)
        let sseStatuses = try await statuses(sse)
        for connection in longPoll + sse { connection.close() }
        try await Task.sleep(for: .seconds(2))
        let released = try await settledRSS(pid: pid, on: context.loops[0])

        func result(_ name: String, before: Int, after: Int, statuses: [UInt: Int]) -> CaseResult {
            var stats = StatsSnapshot()
            stats.ok = count
            stats.statuses = statuses
            let extra: [String: Double] = [
                "readers": Double(count),
                "rss_before_kib": Double(before),
                "rss_after_kib": Double(after),
                "bytes_per_reader": (Double(after - before) * 1024 / Double(count)).rounded(),
                "rss_baseline_kib": Double(baseline),
                "rss_after_release_kib": Double(released),
            ]
            return CaseResult(name: name, stats: stats, seconds: seconds, unit: "readers", extra: extra, resources: resources)
        }
        let cases = [
            result("long-poll-waiter", before: baseline, after: withLongPoll, statuses: longPollStatuses),
            result("sse-connection", before: withLongPoll, after: withBoth, statuses: sseStatuses),
        ]
        for line in cases.map(\.line) { context.progress(line) }
        return ScenarioResult(cases: cases, notes: [
            "\(count) long-poll waiters, then \(count) SSE connections, \(readersPerStream) per stream over \(streams.count) streams.",
            "bytes_per_reader: server RSS growth while that kind of reader connected, divided by the readers (kernel socket buffers are not in RSS).",
            "rss_after_release_kib: server RSS 2 s after every reader hung up (the allocator may keep freed pages).",
            "statusCounts: response heads seen while idle (long-polls re-poll after a server timeout; SSE answers 200 at once).",
        ])
    }

    /// Opens `count` connections, each sending one live read at the tail of a stream.
    private static func open(_ count: Int, mode: String, streams: [String], context: RunContext) async throws -> [BenchConnection] {
        let connections = try await context.connect(count)
        let target = context.target
        for (index, connection) in connections.enumerated() {
            let stream = streams[index % streams.count]
            let request = RequestTemplate(.GET, target.uri(stream, query: "offset=now&live=\(mode)"), target: target)
            _ = try await connection.withHandler { handler in
                let reader = IdleReader(handler: handler, request: request)
                handler.consumer = reader
                handler.send(request)
            }.get()
        }
        return connections
    }

    private static func statuses(_ connections: [BenchConnection]) async throws -> [UInt: Int] {
        var total: [UInt: Int] = [:]
        for connection in connections {
            let seen = try await connection.withHandler { handler in (handler.consumer as? IdleReader)?.statuses ?? [:] }.get()
            total.merge(seen, uniquingKeysWith: +)
        }
        return total
    }

    /// The server's RSS once it stops moving: sampled every 250 ms until two samples agree within 1%
    /// (at most 15 s), so connections still being set up are counted.
    private static func settledRSS(pid: Int32, on eventLoop: any EventLoop) async throws -> Int {
        var previous = ProcessMemory.residentKiB(pid: pid) ?? 0
        for _ in 0..<60 {
            try await Task.sleep(for: .milliseconds(250))
            let current = ProcessMemory.residentKiB(pid: pid) ?? 0
            if previous > 0, abs(current - previous) * 100 <= previous { return current }
            previous = current
        }
        return previous
    }
}

/// A reader that asks once and then only listens; a long-poll answered by a timeout asks again, so the
/// waiter stays registered for the whole measurement.
private final class IdleReader: ResponseConsumer {
    private let handler: ClientHandler
    private let request: RequestTemplate
    private var status: UInt = 0
    var statuses: [UInt: Int] = [:]

    init(handler: ClientHandler, request: RequestTemplate) {
        self.handler = handler
        self.request = request
    }

    func responseHead(_ head: ResponseHead) {
        status = head.status
        statuses[head.status, default: 0] += 1
    }

    func responseEnd() {
        if status == 204 { handler.send(request) }
    }

    func connectionClosed(error: (any Error)?) {}
}
