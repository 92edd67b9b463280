import CoreMetrics
import DSStore
import Logging
import NIOCore
import Synchronization

/// The operator-facing side of a server shared by every connection: metrics, the request log, per-client
/// limits, the operations endpoints, and the drain state of a graceful shutdown.
final class ServerOperations: Sendable {
    let options: OperationsOptions
    let metrics: ServerMetrics
    let limiter: ClientLimiter?
    let authorizer: (any StreamAuthorizer)?
    let trustedProxies: [NetworkRange]
    let store: any StreamStore
    /// The server's own logger, for failed requests (5xx) with their context.
    let logger: Logger
    private let draining = Atomic<Bool>(false)
    private let inFlight = Atomic<Int>(0)

    init(serverOptions: ServerOptions) {
        options = serverOptions.operations
        metrics = ServerMetrics(factory: serverOptions.operations.metricsFactory ?? MetricsSystem.factory)
        limiter = serverOptions.rateLimits.map { ClientLimiter(options: $0) }
        authorizer = serverOptions.authorizer
        trustedProxies = serverOptions.trustedProxies
        store = serverOptions.store
        logger = serverOptions.logger
    }

    // MARK: Drain state

    /// Whether a graceful shutdown has begun: readiness fails and connections are not kept alive.
    var isDraining: Bool { draining.load(ordering: .relaxed) }

    func beginDraining() { draining.store(true, ordering: .relaxed) }

    /// Requests between their head arriving and their response being finished (live reads included).
    var inFlightCount: Int { inFlight.load(ordering: .relaxed) }

    func requestStarted() { inFlight.wrappingAdd(1, ordering: .relaxed) }

    func requestFinished() { inFlight.wrappingSubtract(1, ordering: .relaxed) }
}
