import NIOCore

/// `append-producer`: idempotent producers (`Producer-Id`/`Epoch`/`Seq`), each keeping several requests in
/// flight over separate connections. Requests may overtake each other between connections; a `409` sequence
/// gap is retried once the earlier sequence numbers are acknowledged, as a pipelining client does.
enum ProducerScenario {
    static func run(_ context: RunContext) async throws -> ScenarioResult {
        let options = context.options
        let depth = max(1, options.producerDepth)
        let producers = max(1, options.connections / depth)
        let setup = try await context.setupClient()
        defer { setup.close() }
        let shared = context.streamName("producer", 0)
        let own = (0..<producers).map { context.streamName("producer", $0 + 1) }
        for name in [shared] + own { try await context.createStream(name, contentType: "application/octet-stream", using: setup) }

        var cases: [CaseResult] = []
        for (caseName, names) in [("one-stream", [shared]), ("stream-per-producer", own)] {
            // Fresh connections per case so every producer's lanes share one client event loop.
            var lanesByProducer: [[BenchConnection]] = []
            for producer in 0..<producers {
                let loop = context.loops[producer % context.loops.count]
                lanesByProducer.append(try await context.connector.connect(count: depth, loops: [loop]))
            }
            let all = lanesByProducer.flatMap { $0 }
            let stats = context.makeStats()
            let window = MeasureWindow(warmup: options.warmup, duration: options.duration)
            let meter = context.meter()
            var futures: [EventLoopFuture<Void>] = []
            for (producer, lanes) in lanesByProducer.enumerated() {
                let loop = lanes[0].eventLoop
                let box = stats[context.loops.firstIndex { $0 === loop } ?? 0]
                let done = loop.makePromise(of: Void.self)
                futures.append(done.futureResult)
                let channels = lanes.map { $0.channel }
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
                        let handlers = try channels.map { try $0.pipeline.syncOperations.handler(type: ClientHandler.self) }
                        ProducerDriver(request: request, handlers: handlers, stats: box.value, window: window, done: done).start()
                    } catch {
                        done.fail(error)
                    }
                }
            }
            await context.await(futures, orCloseAt: window.end + 10_000_000_000, all)
            for connection in all { connection.close() }
            let snapshot = try await context.collect(stats)
            var result = CaseResult(
                name: caseName, stats: snapshot, seconds: window.seconds, unit: "appends/s",
                extra: ["producers": Double(producers), "depth": Double(depth), "gap_retries": Double(snapshot.retries)],
                resources: await meter.finish()
            )
            result.extra["streams"] = Double(names.count)
            context.progress(result.line)
            cases.append(result)
        }
        return ScenarioResult(cases: cases, notes: [
            "\(producers) producers x \(depth) connections each (one request in flight per connection), \(options.messageBytes)-byte bodies.",
            "Latency runs from the first send of a sequence number to its acknowledgement, retries included.",
        ])
    }
}

/// One idempotent producer: hands out sequence numbers to its lanes and parks a lane whose request
/// overtook an earlier one until that one is acknowledged.
private final class ProducerDriver {
    private let request: RequestTemplate
    private let stats: LoopStats
    private let window: MeasureWindow
    private let done: EventLoopPromise<Void>
    private var lanes: [ProducerLane] = []
    private var nextSeq: UInt64 = 0
    /// Every sequence number below this is acknowledged.
    private var ackedBelow: UInt64 = 0
    private var ackedAhead: Set<UInt64> = []
    private var parked: [ProducerLane] = []
    private var failed = false
    private var running = 0

    init(request: RequestTemplate, handlers: [ClientHandler], stats: LoopStats, window: MeasureWindow, done: EventLoopPromise<Void>) {
        self.request = request
        self.stats = stats
        self.window = window
        self.done = done
        self.lanes = handlers.map { ProducerLane(handler: $0) }
    }

    func start() {
        running = lanes.count
        for lane in lanes {
            lane.driver = self
            lane.handler.consumer = lane
        }
        for lane in lanes { sendNew(on: lane) }
    }

    private func sendNew(on lane: ProducerLane) {
        guard !failed, BenchClock.now() < window.end else {
            stop(lane)
            return
        }
        lane.seq = nextSeq
        nextSeq += 1
        lane.firstSentAt = BenchClock.now()
        send(lane)
    }

    private func send(_ lane: ProducerLane) {
        lane.handler.send(request.with(header: "Producer-Seq", value: String(lane.seq)))
    }

    func completed(_ lane: ProducerLane, status: UInt, expectedSeq: UInt64?) {
        let now = BenchClock.now()
        switch status {
        case 200, 204:
            if window.measures(now) { stats.record(status: status, latency: now - lane.firstSentAt, accepted: true) }
            acknowledge(lane.seq)
            sendNew(on: lane)
        case 409 where expectedSeq.map({ $0 < lane.seq }) == true:
            stats.retries += 1
            parked.append(lane)
            resumeParked()
        default:
            if window.measures(now) { stats.record(status: status, latency: now - lane.firstSentAt, accepted: false) }
            failed = true  // a lost sequence number stalls every later one; stop this producer
            stop(lane)
            let waiting = parked
            parked = []
            for lane in waiting { stop(lane) }
        }
    }

    func closed(_ lane: ProducerLane) {
        stats.errors += 1
        failed = true
        stop(lane)
    }

    private func acknowledge(_ seq: UInt64) {
        if seq == ackedBelow {
            ackedBelow += 1
            while ackedAhead.remove(ackedBelow) != nil { ackedBelow += 1 }
        } else if seq > ackedBelow {
            ackedAhead.insert(seq)
        }
        resumeParked()
    }

    private func resumeParked() {
        guard !parked.isEmpty else { return }
        var still: [ProducerLane] = []
        for lane in parked {
            if lane.seq <= ackedBelow { send(lane) } else { still.append(lane) }
        }
        parked = still
    }

    private func stop(_ lane: ProducerLane) {
        guard !lane.stopped else { return }
        lane.stopped = true
        running -= 1
        if running == 0 {
            for lane in lanes { lane.driver = nil }
            done.succeed()
        }
    }
}

private final class ProducerLane: ResponseConsumer {
    let handler: ClientHandler
    var driver: ProducerDriver?
    var seq: UInt64 = 0
    var firstSentAt: UInt64 = 0
    var stopped = false
    private var status: UInt = 0
    private var expectedSeq: UInt64?

    init(handler: ClientHandler) { self.handler = handler }

    func responseHead(_ head: ResponseHead) {
        status = head.status
        expectedSeq = status == 409 ? head.header("Producer-Expected-Seq").flatMap { UInt64($0) } : nil
    }

    func responseEnd() { driver?.completed(self, status: status, expectedSeq: expectedSeq) }

    func connectionClosed(error: (any Error)?) {
        if !stopped { driver?.closed(self) }
    }
}
