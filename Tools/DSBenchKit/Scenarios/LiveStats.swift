/// Deliveries seen by the live readers on one client event loop.
final class LiveStats {
    var deliveries = LatencyHistogram()
    /// Per append (by sequence number): how many readers got it, and the slowest delivery.
    var perAppendCount: [Int32] = []
    var perAppendMax: [UInt64] = []
    var timeouts = 0
    var unexpected = 0
    var errors = 0
    var malformed = 0
    var reconnects = 0
    var statuses: [UInt: Int] = [:]
    /// Set when the case ends: readers stop polling and do not reconnect.
    var stopping = false
    /// Run when the case ends (closes connections opened after the case started).
    var stopActions: [() -> Void] = []
    let window: MeasureWindow

    init(window: MeasureWindow) { self.window = window }

    @inline(__always)
    func delivered(seq: Int, sentAt: UInt64, at now: UInt64) {
        let latency = now >= sentAt ? now - sentAt : 0
        if window.measures(sentAt) { deliveries.record(nanoseconds: latency) }
        guard seq >= 0, seq < 10_000_000 else { return }
        if seq >= perAppendCount.count {
            perAppendCount.append(contentsOf: repeatElement(0, count: seq + 1 - perAppendCount.count))
            perAppendMax.append(contentsOf: repeatElement(0, count: seq + 1 - perAppendMax.count))
        }
        perAppendCount[seq] += 1
        if latency > perAppendMax[seq] { perAppendMax[seq] = latency }
    }

    var snapshot: LiveSnapshot {
        LiveSnapshot(
            deliveries: deliveries, perAppendCount: perAppendCount, perAppendMax: perAppendMax, timeouts: timeouts,
            unexpected: unexpected, errors: errors, malformed: malformed, reconnects: reconnects, statuses: statuses
        )
    }
}

/// ``LiveStats`` copied off its loop and merged across loops.
struct LiveSnapshot: Sendable {
    var deliveries = LatencyHistogram()
    var perAppendCount: [Int32] = []
    var perAppendMax: [UInt64] = []
    var timeouts = 0
    var unexpected = 0
    var errors = 0
    var malformed = 0
    var reconnects = 0
    var statuses: [UInt: Int] = [:]

    mutating func merge(_ other: LiveSnapshot) {
        deliveries.merge(other.deliveries)
        let count = max(perAppendCount.count, other.perAppendCount.count)
        perAppendCount.append(contentsOf: repeatElement(0, count: count - perAppendCount.count))
        perAppendMax.append(contentsOf: repeatElement(0, count: count - perAppendMax.count))
        for index in 0..<other.perAppendCount.count {
            perAppendCount[index] += other.perAppendCount[index]
            perAppendMax[index] = max(perAppendMax[index], other.perAppendMax[index])
        }
        timeouts += other.timeouts
        unexpected += other.unexpected
        errors += other.errors
        malformed += other.malformed
        reconnects += other.reconnects
        statuses.merge(other.statuses, uniquingKeysWith: +)
    }

    /// How many readers got each append in `seqs`.
    func delivered(_ seqs: Range<Int>) -> Int {
        seqs.reduce(0) { $0 + ($1 < perAppendCount.count ? Int(perAppendCount[$1]) : 0) }
    }
}
