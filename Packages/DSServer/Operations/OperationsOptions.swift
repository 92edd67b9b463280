import CoreMetrics
import Logging
import NIOCore

/// What a server offers operators besides the protocol: request logs, metrics, health endpoints and the
/// paths they live at. The endpoints are served outside the stream root.
public struct OperationsOptions: Sendable {
    /// One structured line per request at `info` (method, path, status, bytes, duration, request id);
    /// `nil` disables the request log. The library never bootstraps logging: pass a configured `Logger`.
    public var accessLog: Logger?
    /// Where the server's metrics go; `nil` uses the factory bootstrapped in `MetricsSystem`
    /// (a no-op one unless the embedding process bootstrapped another).
    public var metricsFactory: (any MetricsFactory)?
    /// Renders the metrics exposition served at ``metricsPath`` (for example a Prometheus registry's
    /// text format); `nil` serves no metrics endpoint. Called on an event loop: it must not block.
    public var renderMetrics: (@Sendable () -> ByteBuffer)?
    /// `Content-Type` of the rendered metrics.
    public var metricsContentType: String
    /// Path of the metrics endpoint (outside the stream root).
    public var metricsPath: String
    /// Path of the liveness endpoint: `200` while the process serves requests.
    public var healthPath: String
    /// Path of the readiness endpoint: `200` while the store is open and writable, `503` otherwise
    /// (including while the server drains for shutdown).
    public var readinessPath: String
    /// Whether the metrics endpoint asks the authoriser (resource ``ProtectedResource/metrics``).
    public var protectMetrics: Bool
    /// Whether the health endpoints ask the authoriser (resource ``ProtectedResource/health``).
    public var protectHealth: Bool
    /// Whether a missing `X-Request-Id` is generated (and echoed, and logged). A client's own id is always
    /// echoed. Off by default, so an embedded server without a request log does no per-request work for it.
    public var generateRequestIDs: Bool

    /// Creates operations options; by default there is no request log, health endpoints are open, and the
    /// metrics endpoint exists only once ``renderMetrics`` is set.
    public init(
        accessLog: Logger? = nil,
        metricsFactory: (any MetricsFactory)? = nil,
        renderMetrics: (@Sendable () -> ByteBuffer)? = nil,
        metricsContentType: String = "text/plain; version=0.0.4; charset=utf-8",
        metricsPath: String = "/metrics",
        healthPath: String = "/healthz",
        readinessPath: String = "/readyz",
        protectMetrics: Bool = false,
        protectHealth: Bool = false,
        generateRequestIDs: Bool = false
    ) {
        self.accessLog = accessLog
        self.metricsFactory = metricsFactory
        self.renderMetrics = renderMetrics
        self.metricsContentType = metricsContentType
        self.metricsPath = metricsPath
        self.healthPath = healthPath
        self.readinessPath = readinessPath
        self.protectMetrics = protectMetrics
        self.protectHealth = protectHealth
        self.generateRequestIDs = generateRequestIDs
    }
}
