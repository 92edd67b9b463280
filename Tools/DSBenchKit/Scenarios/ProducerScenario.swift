import NIOCore

/// `append-producer`: idempotent producers (`Producer-Id`/`Epoch`/`Seq`), one per keep-alive connection, each
/// keeping several requests pipelined on its connection, as a Kafka-style producer with more than one request
/// in flight does: the sequence numbers arrive in order, so a `409` means something went wrong, not a race.
enum ProducerScenario {
    static func run(_ context: RunContext) async throws -> ScenarioResult {
        let options = context.options
        let depth = max(1, options.producerDepth)
        let producers = max(1, options.connections)
        let setup = try await context.setupClient()
        defer { setup.close() }
        let shared = context.streamName("producer", 0)
        let own = (0..<producers).map { context.streamName("producer", $0 + 1) }
        for name in [shared] + own { try await context.createStream(name, contentType: "application/octet-stream", using: setup) }

        var cases: [CaseResult] = []
        for (caseName, names) in [("one-stream", [shared]), ("stream-per-producer", own)] {
            let connections = try await context.connector.connect(count: producers, loops: context.loops)
            let stats = context.makeStats()
            let window = MeasureWindow(warmup: options.warmup, duration: options.duration)
            let meter = context.meter()
            var futures: [EventLoopFuture<Void>] = []
            for (producer, connection) in connections.enumerated() {
                let loop = connection.eventLoop
                let box = stats[context.loops.firstIndex { $0 === loop } ?? 0]
                let done = loop.makePromise(of: Void.self)
                futures.append(done.futureResult)
                let channel = connection.channel
                let request = RequestTemplate(
                    .POST, context.target.uri(names[producer % names.count]), target: context.target,
                    headers: [
                        ("Content-Type", "application/octet-stream"),
                        ("Producer-Id", "bench-\(context.runID)-\(caseName)-\(producer)"),
                        ("Producer-Epoch", "0"),
                    ],
                    body: Payload.bytes(options.messageBytes)
                )
                loop.execute {
                    do {
                        let handler = try channel.pipeline.syncOperations.handler(type: ClientHandler.self)
                        PipelinedProducer(request: request, handler: handler, depth: depth, stats: box.value, window: window, done: done).start()
                    } catch {
                        done.fail(error)
                    }
                }
            }
            await context.await(futures, orCloseAt: window.end + 10_000_000_000, connections)
            for connection in connections { connection.close() }
            let snapshot = try await context.collect(stats)
            var result = CaseResult(
                name: caseName, stats: snapshot, seconds: window.seconds, unit: "appends/s",
                extra: ["producers": Double(producers), "depth": Double(depth), "conflicts": Double(snapshot.retries)],
                resources: await meter.finish()
            )
            result.extra["streams"] = Double(names.count)
            context.progress(result.line)
            cases.append(result)
        }
        return ScenarioResult(cases: cases, notes: [
            "\(producers) producers, each on its own connection with \(depth) requests pipelined, \(options.messageBytes)-byte bodies.",
            "Latency runs from sending a sequence number to its acknowledgement; conflicts counts 409 answers (none expected).",
        ])
    }
}

/// One idempotent producer on one connection: keeps `depth` sequence numbers in flight, sends the next one as each
/// is acknowledged, and stops at the first answer that is not a success (a lost sequence number would stall
/// every later one).
private final class PipelinedProducer: ResponseConsumer {
    private let request: RequestTemplate
    private let handler: ClientHandler
    private let depth: Int
    private let stats: LoopStats
    private let window: MeasureWindow
    private let done: EventLoopPromise<Void>
    private var nextSeq: UInt64 = 0
    /// Send times of the requests in flight, oldest first (answers come back in request order).
    private var inFlight = CircularBuffer<UInt64>(initialCapacity: 8)
    private var status: UInt = 0
    private var stopped = false
    private var finished = false

    init(request: RequestTemplate, handler: ClientHandler, depth: Int, stats: LoopStats, window: MeasureWindow, done: EventLoopPromise<Void>) {
        self.request = request
        self.handler = handler
        self.depth = depth
        self.stats = stats
        self.window = window
        self.done = done
    }

    func start() {
        handler.consumer = self
        for _ in 0..<depth { sendNext() }
        finishIfIdle()
    }

    private func sendNext() {
        guard !stopped, BenchClock.now() < window.end else {
            stopped = true
            return
        }
        inFlight.append(BenchClock.now())
        handler.send(request.with(header: "Producer-Seq", value: String(nextSeq)))
        nextSeq += 1
    }

    func responseHead(_ head: ResponseHead) { status = head.status }

    func responseEnd() {
        let now = BenchClock.now()
        guard let sentAt = inFlight.popFirst() else { return }
        let accepted = status == 200 || status == 204
        if status == 409 { stats.retries += 1 }
        if window.measures(now) { stats.record(status: status, latency: now - sentAt, accepted: accepted) }
        if accepted { sendNext() } else { stopped = true }
        finishIfIdle()
    }

    func connectionClosed(error: (any Error)?) {
        if !finished { stats.errors += 1 }
        stopped = true
        inFlight.removeAll()
        finishIfIdle()
    }

    private func finishIfIdle() {
        guard stopped, inFlight.isEmpty, !finished else { return }
        finished = true
        handler.consumer = nil
        done.succeed()
    }
}
