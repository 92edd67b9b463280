import Histogram

/// Latencies recorded in microseconds with three significant digits (HdrHistogram), up to one hour.
struct LatencyHistogram: Sendable {
    private static let highest: UInt64 = 3_600_000_000
    private var histogram = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: highest, numberOfSignificantValueDigits: .three)

    init() {}

    /// Records one latency given in nanoseconds.
    @inline(__always)
    mutating func record(nanoseconds: UInt64) {
        _ = histogram.record(min(max(nanoseconds / 1000, 1), Self.highest))
    }

    mutating func merge(_ other: LatencyHistogram) {
        histogram.add(other.histogram)
    }

    var count: UInt64 { histogram.totalCount }

    var summary: LatencySummary {
        guard histogram.totalCount > 0 else { return LatencySummary(count: 0, p50Ms: 0, p99Ms: 0, maxMs: 0, meanMs: 0) }
        return LatencySummary(
            count: Int(histogram.totalCount),
            p50Ms: Self.ms(histogram.valueAtPercentile(50)),
            p99Ms: Self.ms(histogram.valueAtPercentile(99)),
            maxMs: Self.ms(histogram.max),
            meanMs: (histogram.mean / 1000 * 1000).rounded() / 1000
        )
    }

    private static func ms(_ micros: UInt64) -> Double { Double(micros) / 1000 }
}

/// Percentiles of a latency distribution, in milliseconds.
public struct LatencySummary: Codable, Sendable, Hashable {
    /// Number of recorded values.
    public var count: Int
    /// Median.
    public var p50Ms: Double
    /// 99th percentile.
    public var p99Ms: Double
    /// Largest value.
    public var maxMs: Double
    /// Mean.
    public var meanMs: Double
}
