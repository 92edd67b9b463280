import CoreMetrics

/// The metrics a durable store reports, with their names fixed in one place so dashboards and the
/// operator reference (`Docs/deployment.md`) stay in step with the code.
///
/// A store records through swift-metrics only; the process that embeds it decides where the numbers go
/// (the `durable-streams-server` executable bootstraps a Prometheus registry and serves `GET /metrics`).
///
/// ```swift
/// let metrics = StoreMetrics()                       // the globally bootstrapped factory
/// metrics.recordFsyncBatch(appends: batch.count, duration: .nanoseconds(elapsed))
/// ```
public struct StoreMetrics: Sendable {
    /// Metric labels used by stores.
    public enum Name {
        /// Histogram of how many appends one fsync made durable (group commit efficiency).
        public static let appendsPerFsyncBatch = "ds_store_appends_per_fsync_batch"
        /// Histogram of fsync (fdatasync + commit) latency, in seconds.
        public static let fsyncDuration = "ds_store_fsync_duration_seconds"
        /// Counter of failed fsyncs or commits.
        public static let fsyncFailures = "ds_store_fsync_failures_total"
    }

    private let appendsPerBatch: Recorder
    private let fsyncDuration: Timer
    private let fsyncFailures: Counter

    /// Creates the store's metrics on `factory` (`nil`: the factory bootstrapped in `MetricsSystem`).
    public init(factory: (any MetricsFactory)? = nil) {
        let factory = factory ?? MetricsSystem.factory
        appendsPerBatch = Recorder(label: Name.appendsPerFsyncBatch, dimensions: [], aggregate: true, factory: factory)
        fsyncDuration = Timer(label: Name.fsyncDuration, dimensions: [], factory: factory)
        fsyncFailures = Counter(label: Name.fsyncFailures, dimensions: [], factory: factory)
    }

    /// Records one group commit: how many appends it made durable and how long the sync took.
    public func recordFsyncBatch(appends: Int, durationNanoseconds: Int64) {
        appendsPerBatch.record(appends)
        fsyncDuration.recordNanoseconds(durationNanoseconds)
    }

    /// Records a failed sync or commit.
    public func recordFsyncFailure() {
        fsyncFailures.increment()
    }
}
