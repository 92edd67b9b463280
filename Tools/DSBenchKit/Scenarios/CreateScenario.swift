import NIOCore

/// `create`: creates many empty streams as fast as the connections allow (count- and time-bounded) and,
/// with `--server-pid`, reports the server's RSS growth per stream.
enum CreateScenario {
    static func run(_ context: RunContext) async throws -> ScenarioResult {
        let options = context.options
        let connections = try await context.connect(options.connections)
        defer { for connection in connections { connection.close() } }
        let runID = context.runID
        let accept: @Sendable (UInt) -> Bool = { options.noCreate ? (200..<300).contains($0) : $0 == 201 }

        // Warm the server's allocator and connection state first so the RSS delta is the streams' own.
        let warm = min(1000, max(options.createCount / 10, 1))
        _ = try await createMany(context, connections, count: warm, prefix: "bench-\(runID)-warm", accept: accept, limit: options.createTimeLimit)
        let pid = options.serverPID
        let before = pid.flatMap { ProcessMemory.resident(pid: $0) }
        let meter = context.meter()
        let (stats, seconds) = try await createMany(
            context, connections, count: options.createCount, prefix: "bench-\(runID)-create", accept: accept, limit: options.createTimeLimit
        )
        let after = pid.flatMap { ProcessMemory.resident(pid: $0) }
        var extra: [String: Double] = ["streams_created": Double(stats.ok)]
        if let before, let after, stats.ok > 0 {
            let perStream = { (from: Int, to: Int) in (Double(to - from) * 1024 / Double(stats.ok)).rounded() }
            extra["rss_before_kib"] = Double(before.total)
            extra["rss_after_kib"] = Double(after.total)
            extra["bytes_per_stream"] = perStream(before.total, after.total)
            if let from = before.anon, let to = after.anon { extra["anon_bytes_per_stream"] = perStream(from, to) }
            if let from = before.file, let to = after.file { extra["file_mapped_bytes_per_stream"] = perStream(from, to) }
        }
        let result = CaseResult(name: "empty-streams", stats: stats, seconds: seconds, unit: "creates/s", extra: extra, resources: await meter.finish())
        context.progress(result.line)
        return ScenarioResult(cases: [result], notes: [
            "PUT of \(options.createCount) new empty streams over \(options.connections) connections (after \(warm) warm-up creates).",
            "bytes_per_stream: server RSS growth over those creates divided by the number created (needs --server-pid); anon_bytes_per_stream counts only anonymous pages (heap), file_mapped_bytes_per_stream only resident pages of mapped files (e.g. a store's memory-mapped database).",
        ])
    }

    private static func createMany(
        _ context: RunContext,
        _ connections: [BenchConnection],
        count: Int,
        prefix: String,
        accept: @escaping @Sendable (UInt) -> Bool,
        limit: Double
    ) async throws -> (StatsSnapshot, Double) {
        let target = context.target
        let perConnection = (count + connections.count - 1) / connections.count
        let started = BenchClock.now()
        let (stats, _) = try await context.closedLoop(connections, warmup: 0, duration: limit, accept: accept) { index in
            var made = 0
            let first = index * perConnection
            let last = min(count, first + perConnection)
            return {
                guard first + made < last else { return nil }
                defer { made += 1 }
                return RequestTemplate(.PUT, target.uri("\(prefix)-\(first + made)"), target: target, headers: [("Content-Type", "application/octet-stream")])
            }
        }
        return (stats, Double(BenchClock.now() - started) / 1e9)
    }
}
