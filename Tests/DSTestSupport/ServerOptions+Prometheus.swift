import DSServer
import NIOCore
import Prometheus

extension ServerOptions {
    /// Gives the server its own Prometheus registry (no global bootstrap, so parallel tests don't share
    /// series) and serves it at `/metrics`.
    public mutating func useOwnPrometheusRegistry() {
        let registry = PrometheusCollectorRegistry()
        operations.metricsFactory = PrometheusMetricsFactory(registry: registry)
        operations.renderMetrics = {
            var bytes: [UInt8] = []
            registry.emit(into: &bytes)
            return ByteBuffer(bytes: bytes)
        }
    }
}
