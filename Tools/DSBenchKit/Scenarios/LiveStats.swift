/// Deliveries seen by the live readers on one ``ReaderThread`` (only touched on that thread).
final class LiveStats {
    /// Each delivery, from the writer's send to the bytes arriving on the reader's socket.
    var deliveries = LatencyHistogram()
    /// Each delivery, from the writer's send to the reader having parsed it (this process's scheduling included).
    var parsedDeliveries = LatencyHistogram()
    /// Per append (by sequence number): how many readers got it, and the slowest delivery, arrived and parsed.
    var perAppendCount: [Int32] = []
    var perAppendMax: [UInt64] = []
    var perAppendParsedMax: [UInt64] = []
    var timeouts = 0
    var unexpected = 0
    var errors = 0
    var malformed = 0
    var reconnects = 0
    var statuses: [UInt: Int] = [:]
    /// Set when the case ends: readers stop polling and do not reconnect.
    var stopping = false
    let window: MeasureWindow

    init(window: MeasureWindow) { self.window = window }

    /// Records message `seq`, sent at `sentAt`, arrived on the socket at `arrived` and parsed at `parsed`.
    @inline(__always)
    func delivered(seq: Int, sentAt: UInt64, arrived: UInt64, parsed: UInt64) {
        let latency = arrived >= sentAt ? arrived - sentAt : 0
        let parsedLatency = parsed >= sentAt ? parsed - sentAt : 0
        if window.measures(sentAt) {
            deliveries.record(nanoseconds: latency)
            parsedDeliveries.record(nanoseconds: parsedLatency)
        }
        guard seq >= 0, seq < 10_000_000 else { return }
        if seq >= perAppendCount.count {
            let added = seq + 1 - perAppendCount.count
            perAppendCount.append(contentsOf: repeatElement(0, count: added))
            perAppendMax.append(contentsOf: repeatElement(0, count: added))
            perAppendParsedMax.append(contentsOf: repeatElement(0, count: added))
        }
        perAppendCount[seq] += 1
        if latency > perAppendMax[seq] { perAppendMax[seq] = latency }
        if parsedLatency > perAppendParsedMax[seq] { perAppendParsedMax[seq] = parsedLatency }
    }

    var snapshot: LiveSnapshot {
        LiveSnapshot(
            deliveries: deliveries, parsedDeliveries: parsedDeliveries, perAppendCount: perAppendCount, perAppendMax: perAppendMax,
            perAppendParsedMax: perAppendParsedMax, timeouts: timeouts,
            unexpected: unexpected, errors: errors, malformed: malformed, reconnects: reconnects, statuses: statuses
        )
    }
}

/// ``LiveStats`` copied off its thread and merged across threads.
struct LiveSnapshot: Sendable {
    var deliveries = LatencyHistogram()
    var parsedDeliveries = LatencyHistogram()
    var perAppendCount: [Int32] = []
    var perAppendMax: [UInt64] = []
    var perAppendParsedMax: [UInt64] = []
    var timeouts = 0
    var unexpected = 0
    var errors = 0
    var malformed = 0
    var reconnects = 0
    var statuses: [UInt: Int] = [:]

    mutating func merge(_ other: LiveSnapshot) {
        deliveries.merge(other.deliveries)
        parsedDeliveries.merge(other.parsedDeliveries)
        let count = max(perAppendCount.count, other.perAppendCount.count)
        let added = count - perAppendCount.count
        perAppendCount.append(contentsOf: repeatElement(0, count: added))
        perAppendMax.append(contentsOf: repeatElement(0, count: added))
        perAppendParsedMax.append(contentsOf: repeatElement(0, count: added))
        for index in 0..<other.perAppendCount.count {
            perAppendCount[index] += other.perAppendCount[index]
            perAppendMax[index] = max(perAppendMax[index], other.perAppendMax[index])
            perAppendParsedMax[index] = max(perAppendParsedMax[index], other.perAppendParsedMax[index])
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
