import CoreMetrics
import NIOCore
import Prometheus

/// The process's Prometheus registry, bootstrapped as the swift-metrics backend, and the renderer the
/// server calls for `GET /metrics`.
struct MetricsEndpoint: Sendable {
    let registry: PrometheusCollectorRegistry
    let factory: PrometheusMetricsFactory

    /// Bootstraps swift-metrics with a Prometheus registry. Call once per process.
    static func bootstrap() -> MetricsEndpoint {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // Value histograms (appends per fsync batch) count small numbers; the default buckets start at 5.
        factory.defaultValueHistogramBuckets = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024]
        factory.defaultDurationHistogramBuckets = [
            .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
            .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
            .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30), .seconds(60),
        ]
        MetricsSystem.bootstrap(factory)
        return MetricsEndpoint(registry: registry, factory: factory)
    }

    /// The Prometheus text exposition of every metric.
    var render: @Sendable () -> ByteBuffer {
        { [registry] in
            var bytes: [UInt8] = []
            bytes.reserveCapacity(16 * 1024)
            registry.emit(into: &bytes)
            return ByteBuffer(bytes: bytes)
        }
    }
}
