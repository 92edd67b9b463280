/// Counters and latencies of the workers on one client event loop (only touched on that loop).
final class LoopStats {
    var latency = LatencyHistogram()
    var ok = 0
    var unexpected = 0
    var errors = 0
    var retries = 0
    /// Completed catch-up passes (read scenario).
    var passes = 0
    var bytes = 0
    /// Responses per status code (an array: a dictionary update per request showed in the client's profile).
    var statuses = [Int](repeating: 0, count: 600)

    /// Records a completed response: its latency when the status is accepted, else an unexpected status.
    @inline(__always)
    func record(status: UInt, latency nanoseconds: UInt64, accepted: Bool) {
        statuses[Int(min(status, 599))] += 1
        if accepted {
            ok += 1
            latency.record(nanoseconds: nanoseconds)
        } else {
            unexpected += 1
        }
    }

    var snapshot: StatsSnapshot {
        StatsSnapshot(
            latency: latency, ok: ok, unexpected: unexpected, errors: errors, retries: retries, passes: passes, bytes: bytes,
            statuses: Dictionary(uniqueKeysWithValues: statuses.enumerated().filter { $0.element > 0 }.map { (UInt($0.offset), $0.element) })
        )
    }
}

/// A copy of ``LoopStats`` that can leave the event loop, and be merged across loops.
struct StatsSnapshot: Sendable {
    var latency = LatencyHistogram()
    var ok = 0
    var unexpected = 0
    var errors = 0
    var retries = 0
    var passes = 0
    var bytes = 0
    var statuses: [UInt: Int] = [:]

    mutating func merge(_ other: StatsSnapshot) {
        latency.merge(other.latency)
        ok += other.ok
        unexpected += other.unexpected
        errors += other.errors
        retries += other.retries
        passes += other.passes
        bytes += other.bytes
        statuses.merge(other.statuses, uniquingKeysWith: +)
    }

    var statusCounts: [String: Int] {
        Dictionary(uniqueKeysWithValues: statuses.map { (String($0.key), $0.value) })
    }
}

/// When a case starts measuring and when it stops, in ``BenchClock`` nanoseconds.
struct MeasureWindow: Sendable {
    var start: UInt64
    var warmupEnd: UInt64
    var end: UInt64

    init(warmup: Double, duration: Double, now: UInt64 = BenchClock.now()) {
        start = now
        warmupEnd = now + UInt64(max(warmup, 0) * 1e9)
        end = warmupEnd + UInt64(max(duration, 0.01) * 1e9)
    }

    var seconds: Double { Double(end - warmupEnd) / 1e9 }

    @inline(__always)
    func measures(_ time: UInt64) -> Bool { time >= warmupEnd && time < end }
}
