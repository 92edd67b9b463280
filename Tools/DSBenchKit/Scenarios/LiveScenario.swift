import NIOCore

/// `long-poll` and `sse`: many readers wait at the tail of one stream while one writer appends every few
/// milliseconds; measures append-to-delivery latency for every reader and the time until the last reader
/// has each append.
enum LiveScenario {
    enum Mode: String {
        case longPoll = "long-poll"
        case sse
    }

    static func run(_ context: RunContext, mode: Mode) async throws -> ScenarioResult {
        let options = context.options
        var cases: [CaseResult] = []
        for (index, interval) in options.appendIntervalsMs.enumerated() {
            cases.append(try await runCase(context, mode: mode, intervalMs: interval, stream: context.streamName(mode.rawValue, index)))
        }
        let readerCount = max(1, options.readers)
        return ScenarioResult(cases: cases, notes: [
            "\(readerCount) \(mode.rawValue) readers on their own connections (spread over \(context.loops.count) client thread\(context.loops.count == 1 ? "" : "s")) wait at the tail; one writer appends a \(LiveMessage.size)-byte message every interval.",
            "latency: each delivery, from the writer's send to the reader parsing it (user-space timestamps on the client: includes client scheduling). all_readers_*: per append, until the last reader had it.",
        ])
    }

    private static func runCase(_ context: RunContext, mode: Mode, intervalMs: Int, stream: String) async throws -> CaseResult {
        let options = context.options
        let setup = try await context.setupClient()
        defer { setup.close() }
        try await context.createStream(stream, contentType: "text/plain", using: setup)
        let headResponse = try await setup.execute(RequestTemplate(.HEAD, context.target.uri(stream), target: context.target))
        guard let tail = headResponse.header("Stream-Next-Offset") else {
            throw BenchError.setupFailed("HEAD \(stream) answered \(headResponse.status) without Stream-Next-Offset")
        }

        let readerCount = max(1, options.readers)
        let readers = try await context.connect(readerCount)
        let writerConnection = try await context.connector.connect(count: 1, loops: [context.loops[0]])[0]
        defer {
            for connection in readers { connection.close() }
            writerConnection.close()
        }
        // Readers start polling now; the writer starts after a short settle so they are all waiting.
        let settle = 0.3
        let window = MeasureWindow(warmup: options.warmup, duration: options.duration, now: BenchClock.now() + UInt64(settle * 1e9))
        let live = context.loops.map { NIOLoopBoundBox.makeBoxSendingValue(LiveStats(window: window), eventLoop: $0) }
        let connector = context.connector
        var started: [EventLoopFuture<Void>] = []
        for connection in readers {
            let box = live[context.loops.firstIndex { $0 === connection.eventLoop } ?? 0]
            let eventLoop = connection.eventLoop
            started.append(connection.withHandler { handler in
                let stats = box.value
                switch mode {
                case .longPoll:
                    let reader = LongPollReader(handler: handler, target: connector.target, stream: stream, offset: tail, stats: stats)
                    handler.consumer = reader
                    reader.poll()
                case .sse:
                    let reader = SSEStreamReader(handler: handler, eventLoop: eventLoop, connector: connector, stream: stream, offset: tail, stats: stats)
                    handler.consumer = reader
                    stats.stopActions.append { [weak reader] in reader?.close() }
                    reader.start()
                }
            })
        }
        for future in started { try await future.get() }

        let meter = context.meter()
        // RSS when measuring starts, halfway and at the end: growth at steady state, apart from warm-up.
        let half = window.warmupEnd + (window.end - window.warmupEnd) / 2
        let checkpoints = RSSCheckpoints(pid: options.serverPID, at: [window.warmupEnd, half, window.end], on: context.loops[0])
        let writerStats = NIOLoopBoundBox.makeBoxSendingValue(LoopStats(), eventLoop: writerConnection.eventLoop)
        let writerDone = writerConnection.eventLoop.makePromise(of: Range<Int>.self)
        let target = context.target
        writerConnection.withHandler { handler in
            let writer = LiveWriter(handler: handler, uri: target.uri(stream), target: target, window: window, intervalMs: intervalMs, stats: writerStats.value, done: writerDone)
            handler.consumer = writer
            writer.start(on: writerConnection.eventLoop)
        }.cascadeFailure(to: writerDone)
        let guardTask = context.loops[0].scheduleTask(deadline: .now() + .nanoseconds(BenchClock.nanoseconds(until: window.end) + 10_000_000_000)) {
            writerConnection.close()
        }
        let measured = try await writerDone.futureResult.get()
        guardTask.cancel()

        // Let the last appends reach everyone, then stop and collect. This returns as soon as every reader has
        // them; the bound only decides when an append still missing counts as missed (generous, so a loaded
        // machine is not mistaken for a lost delivery).
        let drainDeadline = BenchClock.now() + 10_000_000_000
        var snapshot = try await collect(live)
        while snapshot.delivered(measured) < measured.count * readerCount && BenchClock.now() < drainDeadline {
            try await Task.sleep(nanoseconds: 50_000_000)
            snapshot = try await collect(live)
        }
        for box in live {
            try await box.eventLoop.submit {
                box.value.stopping = true
                for action in box.value.stopActions { action() }
            }.get()
        }
        snapshot = try await collect(live)
        let writer = try await writerStats.eventLoop.submit { writerStats.value.snapshot }.get()

        var allReaders = LatencyHistogram()
        var incomplete = 0
        for seq in measured {
            let count = seq < snapshot.perAppendCount.count ? Int(snapshot.perAppendCount[seq]) : 0
            if count < readerCount { incomplete += 1 } else { allReaders.record(nanoseconds: snapshot.perAppendMax[seq]) }
        }
        let delivered = snapshot.delivered(measured)
        let all = allReaders.summary
        let resources = await meter.finish()
        var extra: [String: Double] = [
            "readers": Double(readerCount),
            "appends": Double(measured.count),
            "appended_bytes": Double(measured.count * LiveMessage.size),
            "append_interval_ms": Double(intervalMs),
            "all_readers_p50_ms": all.p50Ms,
            "all_readers_p99_ms": all.p99Ms,
            "all_readers_max_ms": all.maxMs,
            "incomplete_appends": Double(incomplete),
            "missed_deliveries": Double(measured.count * readerCount - delivered),
            "long_poll_timeouts": Double(snapshot.timeouts),
            "reconnects": Double(snapshot.reconnects),
            "writer_p99_ms": writer.latency.summary.p99Ms,
        ]
        for (index, reading) in await checkpoints.finish() {
            let name = ["start", "mid", "end"][index]
            extra["rss_measure_\(name)_kib"] = Double(reading.total)
            if let anon = reading.anon { extra["rss_anon_measure_\(name)_kib"] = Double(anon) }
        }
        let result = CaseResult(
            name: "\(readerCount)-readers-every-\(intervalMs)ms",
            seconds: window.seconds,
            operations: delivered,
            throughput: (Double(delivered) / window.seconds).rounded(),
            unit: "deliveries/s",
            latency: snapshot.deliveries.summary,
            errors: snapshot.errors + writer.errors,
            unexpectedStatus: snapshot.unexpected + snapshot.malformed + writer.unexpected,
            statusCounts: Dictionary(uniqueKeysWithValues: snapshot.statuses.map { (String($0.key), $0.value) }),
            extra: extra,
            rss: resources.rss,
            cpu: resources.cpu
        )
        context.progress(result.line)
        return result
    }

    private static func collect(_ live: [NIOLoopBoundBox<LiveStats>]) async throws -> LiveSnapshot {
        var total = LiveSnapshot()
        for box in live { total.merge(try await box.eventLoop.submit { box.value.snapshot }.get()) }
        return total
    }
}
