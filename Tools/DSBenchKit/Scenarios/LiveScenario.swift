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
        let threads = readerThreadCount(options)
        return ScenarioResult(cases: cases, notes: [
            "\(readerCount) \(mode.rawValue) readers on their own connections (plain sockets on \(threads) epoll thread\(threads == 1 ? "" : "s")) wait at the tail; one writer appends a \(LiveMessage.size)-byte message every interval.",
            "latency: each delivery, from the writer's send to the bytes arriving on the reader's socket (the kernel's receive timestamp, SO_TIMESTAMPNS). all_readers_*: per append, until the last reader had it. parsed_*: the same until the reader had parsed it (includes this client's own scheduling).",
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
        let address = try ServerAddress(context.target)
        var threads: [ReaderThread] = []
        let outcome: Result<CaseResult, any Error>
        do {
            for index in 0..<readerThreadCount(options) {
                threads.append(try ReaderThread(name: "live-readers-\(index)", address: address))
            }
            outcome = .success(
                try await measure(context, mode: mode, intervalMs: intervalMs, stream: stream, tail: tail, readerCount: readerCount, threads: threads)
            )
        } catch {
            outcome = .failure(error)
        }
        for thread in threads { await thread.shutdown() }
        return try outcome.get()
    }

    /// How many ``ReaderThread``s the readers are spread over: ``BenchOptions/liveThreads``, else
    /// ``BenchOptions/threads``.
    private static func readerThreadCount(_ options: BenchOptions) -> Int {
        max(1, options.liveThreads ?? options.threads)
    }

    private static func measure(
        _ context: RunContext, mode: Mode, intervalMs: Int, stream: String, tail: String, readerCount: Int, threads: [ReaderThread]
    ) async throws -> CaseResult {
        let options = context.options
        let writerConnection = try await context.connector.connect(count: 1, loops: [context.loops[0]])[0]
        defer { writerConnection.close() }
        // Readers start polling now; the writer starts after a short settle so they are all waiting.
        let settle = 0.3
        let window = MeasureWindow(warmup: options.warmup, duration: options.duration, now: BenchClock.now() + UInt64(settle * 1e9))
        let live = threads.map { ThreadBound(LiveStats(window: window), thread: $0) }
        let target = context.target
        for (index, box) in live.enumerated() {
            // Readers are spread round-robin: this thread's are index, index + threads, ...
            let share = (readerCount - index + threads.count - 1) / threads.count
            let thread = box.thread
            try await thread.submit {
                let stats = box.value
                for _ in 0..<share {
                    let connection = try thread.connect()
                    switch mode {
                    case .longPoll:
                        let reader = LongPollReader(connection: connection, target: target, stream: stream, offset: tail, stats: stats)
                        connection.consumer = reader
                        reader.poll()
                    case .sse:
                        let reader = SSEStreamReader(connection: connection, thread: thread, target: target, stream: stream, offset: tail, stats: stats)
                        connection.consumer = reader
                        reader.start()
                    }
                }
            }
        }

        let meter = context.meter()
        // RSS when measuring starts, halfway and at the end: growth at steady state, apart from warm-up.
        let half = window.warmupEnd + (window.end - window.warmupEnd) / 2
        let checkpoints = RSSCheckpoints(pid: options.serverPID, at: [window.warmupEnd, half, window.end], on: context.loops[0])
        let writerStats = NIOLoopBoundBox.makeBoxSendingValue(LoopStats(), eventLoop: writerConnection.eventLoop)
        let writerDone = writerConnection.eventLoop.makePromise(of: Range<Int>.self)
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
            try await box.thread.submit { box.value.stopping = true }
        }
        snapshot = try await collect(live)
        let writer = try await writerStats.eventLoop.submit { writerStats.value.snapshot }.get()

        var allReaders = LatencyHistogram()
        var allReadersParsed = LatencyHistogram()
        var incomplete = 0
        for seq in measured {
            let count = seq < snapshot.perAppendCount.count ? Int(snapshot.perAppendCount[seq]) : 0
            if count < readerCount {
                incomplete += 1
            } else {
                allReaders.record(nanoseconds: snapshot.perAppendMax[seq])
                allReadersParsed.record(nanoseconds: snapshot.perAppendParsedMax[seq])
            }
        }
        let delivered = snapshot.delivered(measured)
        let all = allReaders.summary
        let allParsed = allReadersParsed.summary
        let parsed = snapshot.parsedDeliveries.summary
        let resources = await meter.finish()
        var extra: [String: Double] = [
            "readers": Double(readerCount),
            "appends": Double(measured.count),
            "appended_bytes": Double(measured.count * LiveMessage.size),
            "append_interval_ms": Double(intervalMs),
            "all_readers_p50_ms": all.p50Ms,
            "all_readers_p99_ms": all.p99Ms,
            "all_readers_max_ms": all.maxMs,
            "parsed_p50_ms": parsed.p50Ms,
            "parsed_p99_ms": parsed.p99Ms,
            "parsed_all_readers_p50_ms": allParsed.p50Ms,
            "parsed_all_readers_p99_ms": allParsed.p99Ms,
            "parsed_all_readers_max_ms": allParsed.maxMs,
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

    private static func collect(_ live: [ThreadBound<LiveStats>]) async throws -> LiveSnapshot {
        var total = LiveSnapshot()
        for box in live { total.merge(try await box.thread.submit { box.value.snapshot }) }
        return total
    }
}
