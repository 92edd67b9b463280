import NIOCore

/// `append`: small appends on keep-alive connections, to one stream and spread over one stream per connection.
/// `append-json`: the same with JSON batches.
enum AppendScenario {
    static func run(_ context: RunContext) async throws -> ScenarioResult {
        let body = Payload.bytes(context.options.messageBytes)
        let cases = try await runCases(context, scenario: "append", contentType: "application/octet-stream", body: body, unit: "appends/s", perRequest: 1)
        return ScenarioResult(cases: cases, notes: [
            "\(context.options.messageBytes)-byte POSTs, one request in flight per connection, \(context.options.connections) connections.",
            context.options.noCreate ? "--no-create: any 2xx counts (plain HTTP baseline)." : "Streams created first; 204 counts.",
        ])
    }

    static func runJSON(_ context: RunContext) async throws -> ScenarioResult {
        let batch = context.options.jsonBatch
        let body = Payload.jsonBatch(count: batch, messageBytes: context.options.messageBytes)
        let cases = try await runCases(context, scenario: "append-json", contentType: "application/json", body: body, unit: "messages/s", perRequest: Double(batch))
        return ScenarioResult(cases: cases, notes: [
            "JSON arrays of \(batch) messages (~\(context.options.messageBytes) bytes each) per POST; throughput counts messages.",
        ])
    }

    private static func runCases(
        _ context: RunContext,
        scenario: String,
        contentType: String,
        body: ByteBuffer,
        unit: String,
        perRequest: Double
    ) async throws -> [CaseResult] {
        let count = context.options.connections
        let setup = try await context.setupClient()
        defer { setup.close() }
        let shared = context.streamName(scenario, 0)
        let spread = (0..<count).map { context.streamName(scenario, $0 + 1) }
        for name in [shared] + spread { try await context.createStream(name, contentType: contentType, using: setup) }

        let connections = try await context.connect(count)
        defer { for connection in connections { connection.close() } }
        var cases: [CaseResult] = []
        for (caseName, names) in [("one-stream", [shared]), ("\(count)-streams", spread)] {
            let target = context.target
            let templates = names.map { RequestTemplate(.POST, target.uri($0), target: target, headers: [("Content-Type", contentType)], body: body) }
            let meter = context.meter()
            let (stats, window) = try await context.closedLoop(connections, warmup: context.options.warmup, duration: context.options.duration) { index in
                let template = templates[index % templates.count]
                return { template }
            }
            let requestsPerSecond = Double(stats.ok) / window.seconds
            var result = CaseResult(
                name: caseName, stats: stats, seconds: window.seconds, unit: unit, perOperation: perRequest,
                extra: ["requests_per_second": requestsPerSecond.rounded()], resources: await meter.finish()
            )
            result.extra["streams"] = Double(names.count)
            context.progress(result.line)
            cases.append(result)
        }
        return cases
    }
}

extension CaseResult {
    /// One human-readable line.
    var line: String {
        var text = "\(name): \(throughput) \(unit)  p50 \(latency.p50Ms) ms  p99 \(latency.p99Ms) ms  max \(latency.maxMs) ms"
        if errors > 0 || unexpectedStatus > 0 { text += "  errors \(errors)  unexpected \(unexpectedStatus) \(statusCounts)" }
        for (key, value) in extra.sorted(by: { $0.key < $1.key }) { text += "  \(key)=\(value)" }
        if let rss { text += "  rss \(rss.startKib)->\(rss.endKib) KiB" }
        if let server = cpu?.serverSeconds { text += "  server_cpu \(server) s" }
        if let client = cpu?.clientSeconds { text += "  client_cpu \(client) s" }
        return text
    }
}
