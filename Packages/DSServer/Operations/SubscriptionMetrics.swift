import CoreMetrics

/// The hook through which subscription delivery (webhooks and similar pushes of stream changes) reports
/// its outcomes, so the operator reference names one metric for it whichever component delivers.
///
/// ```swift
/// let metrics = SubscriptionMetrics()
/// metrics.delivered()      // after a subscriber acknowledged a delivery
/// metrics.failed()         // after a delivery attempt failed (it may be retried)
/// ```
public struct SubscriptionMetrics: Sendable {
    /// The metric's label.
    public static let name = "ds_subscription_deliveries_total"

    private let deliveredCounter: Counter
    private let failedCounter: Counter
    private let factory: any MetricsFactory

    /// Creates the counters on `factory` (`nil`: the factory bootstrapped in `MetricsSystem`).
    public init(factory: (any MetricsFactory)? = nil) {
        let factory = factory ?? MetricsSystem.factory
        self.factory = factory
        deliveredCounter = Counter(label: Self.name, dimensions: [("result", "delivered")], factory: factory)
        failedCounter = Counter(label: Self.name, dimensions: [("result", "failed")], factory: factory)
    }

    /// Counts a delivery the subscriber accepted.
    public func delivered() { deliveredCounter.increment() }

    /// Counts a delivery attempt that failed.
    public func failed() { failedCounter.increment() }

    /// Counts a control API request the authoriser refused (`401` or `403`), in the same series the
    /// server counts refused stream requests in.
    public func authorizationDenied(status: Int) {
        Counter(label: ServerMetrics.Name.authDenied, dimensions: [("status", String(status))], factory: factory).increment()
    }
}
