import NIOCore

/// `read`: catch-up reads of a large stream in the server's default chunks, with and without gzip (MB/s of
/// stream data), and the cost of reading the last message of a large stream versus a small one.
enum ReadScenario {
    static func run(_ context: RunContext) async throws -> ScenarioResult {
        let options = context.options
        let setup = try await context.setupClient()
        defer { setup.close() }
        let large = context.streamName("read", 0)
        let small = context.streamName("read", 1)
        let contentType = "application/x-ndjson"
        try await context.createStream(large, contentType: contentType, using: setup)
        try await context.createStream(small, contentType: contentType, using: setup)

        let chunk = Payload.logLines(bytes: 1024 * 1024)
        let message = Payload.bytes(options.messageBytes)
        for _ in 0..<max(1, options.readMegabytes) { _ = try await append(chunk, to: large, contentType: contentType, context, setup) }
        let lastOfLarge = try await append(message, to: large, contentType: contentType, context, setup)
        _ = try await append(message, to: small, contentType: contentType, context, setup)
        let lastOfSmall = try await append(message, to: small, contentType: contentType, context, setup)
        let streamBytes = max(1, options.readMegabytes) * chunk.readableBytes + message.readableBytes
        context.progress("read: \(streamBytes / 1_048_576) MiB stream ready")

        var cases: [CaseResult] = []
        for gzip in [false, true] {
            let result = try await catchUp(context, stream: large, streamBytes: streamBytes, gzip: gzip)
            context.progress(result.line)
            cases.append(result)
        }
        cases += try await lastMessage(context, ("last-message-large", large, lastOfLarge), ("last-message-small", small, lastOfSmall))
        return ScenarioResult(cases: cases, notes: [
            "Catch-up: \(options.readConnections) reader(s) read the \(streamBytes / 1_048_576) MiB stream from offset -1, following Stream-Next-Offset in the server's default chunk size until Stream-Up-To-Date, repeatedly.",
            "MB/s counts stream bytes (10^6) of whole passes; wire_mb_per_s counts bytes received (compressed with gzip). Latency is per chunk request.",
            "last-message-*: GET from the offset of the last \(options.messageBytes)-byte message of the large and of a small stream, \(options.connections) connections; the two cases alternate in \(lastMessageRounds) rounds each (large, small, large, …), so a change in the machine's load meets both.",
        ])
    }

    /// Rounds each last-message case is split into, run alternately.
    static let lastMessageRounds = 4

    /// The two last-message cases, alternating in ``lastMessageRounds`` rounds of `duration / rounds` each, every
    /// round's counts and latencies merged into its case. Run one after the other, the second case met a
    /// different machine (other work, frequency, the page cache) than the first, and the two rates, which
    /// should be equal, differed by up to 12% either way between full runs.
    private static func lastMessage(
        _ context: RunContext,
        _ cases: (name: String, stream: String, offset: String)...
    ) async throws -> [CaseResult] {
        let options = context.options
        let connections = try await context.connect(options.connections)
        defer { for connection in connections { connection.close() } }
        let templates = cases.map { RequestTemplate(.GET, context.target.uri($0.stream, query: "offset=\($0.offset)"), target: context.target) }
        var merged: [(stats: StatsSnapshot, seconds: Double, resources: CaseResources)?] = Array(repeating: nil, count: cases.count)
        for round in 0..<lastMessageRounds {
            for (index, template) in templates.enumerated() {
                let meter = context.meter()
                let (stats, window) = try await context.closedLoop(
                    connections, warmup: round == 0 ? options.warmup : 0, duration: options.duration / Double(lastMessageRounds)
                ) { _ in { template } }
                let resources = await meter.finish()
                if var sofar = merged[index] {
                    sofar.stats.merge(stats)
                    sofar.seconds += window.seconds
                    sofar.resources.add(resources)
                    merged[index] = sofar
                } else {
                    merged[index] = (stats, window.seconds, resources)
                }
            }
        }
        return zip(cases, merged).compactMap { item, merged in
            guard let merged else { return nil }
            let result = CaseResult(name: item.name, stats: merged.stats, seconds: merged.seconds, unit: "reads/s", resources: merged.resources)
            context.progress(result.line)
            return result
        }
    }

    /// Appends `body` and returns the offset it started at (the previous Stream-Next-Offset).
    private static func append(_ body: ByteBuffer, to name: String, contentType: String, _ context: RunContext, _ client: SimpleClient) async throws -> String {
        let head = try await client.execute(RequestTemplate(.HEAD, context.target.uri(name), target: context.target))
        guard let before = head.header("Stream-Next-Offset") else {
            throw BenchError.setupFailed("HEAD \(name) answered \(head.status) without Stream-Next-Offset")
        }
        let request = RequestTemplate(.POST, context.target.uri(name), target: context.target, headers: [("Content-Type", contentType)], body: body)
        let response = try await client.execute(request)
        guard (200..<300).contains(response.status) else {
            throw BenchError.setupFailed("POST \(name) answered \(response.status): \(response.text.prefix(200))")
        }
        return before
    }

    private static func catchUp(_ context: RunContext, stream: String, streamBytes: Int, gzip: Bool) async throws -> CaseResult {
        let options = context.options
        let connections = try await context.connect(max(1, options.readConnections))
        defer { for connection in connections { connection.close() } }
        let stats = context.makeStats()
        let window = MeasureWindow(warmup: 0, duration: options.duration)
        let meter = context.meter()
        var futures: [EventLoopFuture<Void>] = []
        let target = context.target
        for connection in connections {
            let box = stats[context.loops.firstIndex { $0 === connection.eventLoop } ?? 0]
            let done = connection.eventLoop.makePromise(of: Void.self)
            futures.append(done.futureResult)
            connection.withHandler { handler in
                let reader = CatchUpReader(handler: handler, target: target, stream: stream, gzip: gzip, stats: box.value, window: window, done: done)
                handler.consumer = reader
                reader.start()
            }.cascadeFailure(to: done)
        }
        // A pass always finishes; allow slow ones (gzip) up to a minute past the window.
        await context.await(futures, orCloseAt: window.end + 60_000_000_000, connections)
        let elapsed = Double(BenchClock.now() - window.start) / 1e9
        let snapshot = try await context.collect(stats)
        let passes = snapshot.passes
        let megabytes = Double(passes * streamBytes) / 1e6
        let seconds = Double(snapshot.bytes > 0 ? elapsed : 0)
        var result = CaseResult(
            name: gzip ? "catch-up-gzip" : "catch-up", stats: snapshot, seconds: seconds, unit: "MB/s",
            extra: [
                "passes": Double(passes),
                "wire_mb_per_s": (Double(snapshot.bytes) / 1e6 / max(seconds, 1e-9)).rounded(),
                "readers": Double(connections.count),
            ],
            resources: await meter.finish()
        )
        result.operations = snapshot.ok
        result.throughput = (megabytes / max(seconds, 1e-9)).rounded()
        return result
    }
}

/// Reads a stream from the beginning to its tail, chunk after chunk, pass after pass, until the window ends.
private final class CatchUpReader: ResponseConsumer {
    private let handler: ClientHandler
    private let target: BenchTarget
    private let stream: String
    private let stats: LoopStats
    private let window: MeasureWindow
    private let done: EventLoopPromise<Void>
    private let extraHeaders: [(String, String)]
    private var sentAt: UInt64 = 0
    private var status: UInt = 0
    private var next: String?
    private var upToDate = false
    private var finished = false

    init(handler: ClientHandler, target: BenchTarget, stream: String, gzip: Bool, stats: LoopStats, window: MeasureWindow, done: EventLoopPromise<Void>) {
        self.handler = handler
        self.target = target
        self.stream = stream
        self.stats = stats
        self.window = window
        self.done = done
        self.extraHeaders = gzip ? [("Accept-Encoding", "gzip")] : []
    }

    func start() { request(offset: "-1") }

    private func request(offset: String) {
        sentAt = BenchClock.now()
        let template = RequestTemplate(.GET, target.uri(stream, query: "offset=\(offset)"), target: target, headers: extraHeaders)
        handler.send(template)
    }

    func responseHead(_ head: ResponseHead) {
        status = head.status
        next = head.header("Stream-Next-Offset")
        upToDate = head.header("Stream-Up-To-Date") == "true"
    }

    func responseBody(_ buffer: ByteBuffer) { stats.bytes += buffer.readableBytes }

    func responseEnd() {
        let now = BenchClock.now()
        let accepted = status == 200
        stats.record(status: status, latency: now - sentAt, accepted: accepted)
        guard accepted, let next else { return finish() }
        if upToDate {
            stats.passes += 1
            if now >= window.end { return finish() }
            request(offset: "-1")
        } else {
            request(offset: next)
        }
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
