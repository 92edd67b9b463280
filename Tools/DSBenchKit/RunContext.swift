import NIOCore
import NIOHTTP1

/// What every scenario needs: options, target, client event loops and a run id that keeps stream names unique.
struct RunContext: Sendable {
    let options: BenchOptions
    let target: BenchTarget
    /// The client loops scenarios use.
    var loops: [any EventLoop]
    let runID: String
    let progress: @Sendable (String) -> Void

    var connector: Connector { Connector(target: target) }

    /// A stream name unique to this run.
    func streamName(_ scenario: String, _ index: Int) -> String { "bench-\(runID)-\(scenario)-\(index)" }

    /// A one-request-at-a-time client for setup.
    func setupClient() async throws -> SimpleClient {
        try await SimpleClient.connect(target, on: loops[0])
    }

    /// Creates `name` (skipped with `--no-create`), failing unless the server answers 201 or 200.
    func createStream(_ name: String, contentType: String, using client: SimpleClient) async throws {
        guard !options.noCreate else { return }
        let request = RequestTemplate(.PUT, target.uri(name), target: target, headers: [("Content-Type", contentType)])
        let response = try await client.execute(request)
        guard response.status == 201 || response.status == 200 else {
            throw BenchError.setupFailed("PUT \(name) answered \(response.status): \(response.text.prefix(200))")
        }
    }

    /// Opens `count` connections spread over the client loops.
    func connect(_ count: Int) async throws -> [BenchConnection] {
        try await connector.connect(count: count, loops: loops)
    }

    /// Collects a snapshot of each loop's stats.
    func collect(_ stats: [NIOLoopBoundBox<LoopStats>]) async throws -> StatsSnapshot {
        var total = StatsSnapshot()
        for box in stats {
            total.merge(try await box.eventLoop.submit { box.value.snapshot }.get())
        }
        return total
    }

    /// One fresh ``LoopStats`` per client loop.
    func makeStats() -> [NIOLoopBoundBox<LoopStats>] {
        loops.map { NIOLoopBoundBox.makeBoxSendingValue(LoopStats(), eventLoop: $0) }
    }

    /// Starts measuring a case's CPU time and the server's RSS.
    func meter() -> CaseMeter { CaseMeter(pid: options.serverPID, on: loops[0]) }

    /// Waits for every future or, at `deadline`, closes the connections so the rest complete.
    func await(_ futures: [EventLoopFuture<Void>], orCloseAt deadline: UInt64, _ connections: [BenchConnection]) async {
        let guardTask = loops[0].scheduleTask(in: .nanoseconds(BenchClock.nanoseconds(until: deadline))) {
            for connection in connections { connection.close() }
        }
        for future in futures { try? await future.get() }
        guardTask.cancel()
    }
}
