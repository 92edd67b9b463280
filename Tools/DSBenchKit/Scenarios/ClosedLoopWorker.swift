import NIOCore

/// One connection of a closed-loop load: one request in flight, the next sent as soon as the answer ends,
/// until the window closes or the request source runs dry.
final class ClosedLoopWorker: ResponseConsumer {
    private let handler: ClientHandler
    private let stats: LoopStats
    private let window: MeasureWindow
    private let next: () -> RequestTemplate?
    private let accept: (UInt) -> Bool
    private let done: EventLoopPromise<Void>
    private var sentAt: UInt64 = 0
    private var status: UInt = 0
    private var finished = false

    init(
        handler: ClientHandler,
        stats: LoopStats,
        window: MeasureWindow,
        accept: @escaping (UInt) -> Bool,
        done: EventLoopPromise<Void>,
        next: @escaping () -> RequestTemplate?
    ) {
        self.handler = handler
        self.stats = stats
        self.window = window
        self.accept = accept
        self.done = done
        self.next = next
    }

    func start() { sendNext() }

    private func sendNext() {
        let now = BenchClock.now()
        guard now < window.end, let request = next() else {
            finish()
            return
        }
        sentAt = now
        status = 0
        handler.send(request)
    }

    func responseHead(_ head: ResponseHead) { status = head.status }

    func responseBody(_ buffer: ByteBuffer) { stats.bytes += buffer.readableBytes }

    func responseEnd() {
        let now = BenchClock.now()
        if window.measures(now) { stats.record(status: status, latency: now - sentAt, accepted: accept(status)) }
        sendNext()
    }

    func connectionClosed(error: (any Error)?) {
        if !finished { stats.errors += 1 }
        finish()
    }

    private func finish() {
        guard !finished else { return }
        finished = true
        done.succeed()
    }
}

extension RunContext {
    /// Runs a closed-loop case over `connections`: `source(i)` (called on connection `i`'s event loop) makes
    /// that connection's request generator. Returns the merged stats and the window measured.
    func closedLoop(
        _ connections: [BenchConnection],
        warmup: Double,
        duration: Double,
        accept: @escaping @Sendable (UInt) -> Bool = { (200..<300).contains($0) },
        source: @escaping @Sendable (Int) -> () -> RequestTemplate?
    ) async throws -> (StatsSnapshot, MeasureWindow) {
        let stats = makeStats()
        let window = MeasureWindow(warmup: warmup, duration: duration)
        var futures: [EventLoopFuture<Void>] = []
        for (index, connection) in connections.enumerated() {
            let box = stats[loops.firstIndex { $0 === connection.eventLoop } ?? 0]
            let done = connection.eventLoop.makePromise(of: Void.self)
            futures.append(done.futureResult)
            connection.withHandler { handler in
                let worker = ClosedLoopWorker(
                    handler: handler, stats: box.value, window: window, accept: accept, done: done, next: source(index)
                )
                handler.consumer = worker
                worker.start()
            }.cascadeFailure(to: done)
        }
        await self.await(futures, orCloseAt: window.end + 10_000_000_000, connections)
        return (try await collect(stats), window)
    }
}

extension CaseResult {
    /// A case built from merged stats; `perOperation` scales the throughput (e.g. messages per request).
    init(name: String, stats: StatsSnapshot, seconds: Double, unit: String, perOperation: Double = 1, extra: [String: Double] = [:], resources: CaseResources) {
        self.init(
            name: name,
            seconds: seconds,
            operations: stats.ok,
            throughput: (Double(stats.ok) * perOperation / max(seconds, 1e-9) * 10).rounded() / 10,
            unit: unit,
            latency: stats.latency.summary,
            errors: stats.errors,
            unexpectedStatus: stats.unexpected,
            statusCounts: stats.statusCounts,
            extra: extra,
            rss: resources.rss,
            cpu: resources.cpu
        )
    }
}
