import NIOCore

/// Appends one ``LiveMessage`` every interval on one connection, on a fixed schedule (requests are
/// pipelined if an answer is late), until the window ends.
final class LiveWriter: ResponseConsumer {
    private let handler: ClientHandler
    private let uri: String
    private let target: BenchTarget
    private let window: MeasureWindow
    private let interval: UInt64
    private let stats: LoopStats
    private let done: EventLoopPromise<Range<Int>>
    private var seq = 0
    private var measured: Range<Int>?
    private var inFlight: [UInt64] = []
    private var inFlightStart = 0
    private var sending = true
    private var status: UInt = 0

    init(handler: ClientHandler, uri: String, target: BenchTarget, window: MeasureWindow, intervalMs: Int, stats: LoopStats, done: EventLoopPromise<Range<Int>>) {
        self.handler = handler
        self.uri = uri
        self.target = target
        self.window = window
        self.interval = UInt64(max(1, intervalMs)) * 1_000_000
        self.stats = stats
        self.done = done
    }

    func start(on eventLoop: any EventLoop) {
        let bound = NIOLoopBound(self, eventLoop: eventLoop)
        eventLoop.scheduleTask(in: .nanoseconds(BenchClock.nanoseconds(until: window.start))) {
            bound.value.fire(on: eventLoop)
        }
    }

    private func fire(on eventLoop: any EventLoop) {
        let now = BenchClock.now()
        guard sending, now < window.end else {
            sending = false
            finishIfIdle()
            return
        }
        if window.measures(now) {
            measured = (measured?.lowerBound ?? seq)..<(seq + 1)
        }
        let body = LiveMessage.make(seq: seq, sentAt: now)
        inFlight.append(now)
        handler.send(RequestTemplate(.POST, uri, target: target, headers: [("Content-Type", "text/plain")], body: body))
        seq += 1
        let due = window.start + UInt64(seq) * interval
        let bound = NIOLoopBound(self, eventLoop: eventLoop)
        eventLoop.scheduleTask(in: .nanoseconds(BenchClock.nanoseconds(until: due))) { bound.value.fire(on: eventLoop) }
    }

    func responseHead(_ head: ResponseHead) { status = head.status }

    func responseEnd() {
        guard inFlightStart < inFlight.count else { return }
        let sentAt = inFlight[inFlightStart]
        inFlightStart += 1
        stats.record(status: status, latency: BenchClock.now() - sentAt, accepted: (200..<300).contains(status))
        finishIfIdle()
    }

    func connectionClosed(error: (any Error)?) {
        stats.errors += 1
        sending = false
        inFlightStart = inFlight.count
        finishIfIdle()
    }

    private func finishIfIdle() {
        guard !sending, inFlightStart == inFlight.count else { return }
        done.succeed(measured ?? 0..<0)
    }
}
