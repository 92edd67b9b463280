import CoreMetrics
import DSProtocol
import DSStore
import Logging
import NIOCore
import NIOHTTP1

/// Serves the reserved `{stream-root}__ds/` namespace (subscriptions, JWKS) and observes stream activity.
///
/// The server routes every `__ds` request here before any stream operation, and tells the handler about
/// successful appends and lifecycle events so it can wake subscribers. The observation methods are called
/// on the request path: they must return at once and hand any work to their own queue.
/// Set it as ``ServerOptions/controlAPI``; without one, `__ds` paths answer a JSON `404`.
public protocol ReservedRouteHandler: Sendable {
    /// Called once when the server starts, before it accepts connections. Throwing stops the start.
    func start(_ environment: ControlEnvironment) async throws

    /// Answers one request below `__ds`. The future completes on `context.eventLoop`.
    func handle(_ request: ControlRequest, context: RequestContext) -> EventLoopFuture<StreamResponse>

    /// A successful append stored new data in `path`; `tail` is the stream's tail after it.
    func streamAppended(path: String, tail: StreamOffset)

    /// A stream was created, deleted or expired.
    func streamLifecycleEvent(_ event: StreamLifecycleEvent)

    /// Called once when the server stops, before the store closes: finish or persist pending work.
    func stop() async
}

/// A request below the reserved `__ds` prefix.
public struct ControlRequest: Sendable {
    /// The method.
    public var method: HTTPMethod
    /// The percent-decoded path after `__ds`, starting with `/` (for example `/subscriptions/sub-1`), or empty.
    public var subpath: String
    /// Decoded query parameters.
    public var query: [String: String]
    /// Request headers.
    public var headers: HTTPHeaders
    /// The complete request body.
    public var body: ByteBuffer

    /// Creates a request.
    public init(method: HTTPMethod, subpath: String, query: [String: String], headers: HTTPHeaders, body: ByteBuffer) {
        self.method = method
        self.subpath = subpath
        self.query = query
        self.headers = headers
        self.body = body
    }
}

/// What a ``ReservedRouteHandler`` gets from the server it runs in.
public struct ControlEnvironment: Sendable {
    /// The store the server serves.
    public var store: any StreamStore
    /// The stream root URL path, starting and ending with `/`.
    public var streamRoot: String
    /// The server's logger.
    public var logger: Logger
    /// `scheme://host:port` of the server once it is bound (the real port when started with port `0`).
    public var baseURL: @Sendable () -> String
    /// The server's authoriser (``ServerOptions/authorizer``): the control API asks it about the resources
    /// it serves, as the server does for streams. `nil` allows everything.
    public var authorizer: (any StreamAuthorizer)?
    /// Where the server's metrics go (``OperationsOptions/metricsFactory``); `nil` uses `MetricsSystem`'s.
    public var metricsFactory: (any MetricsFactory)?

    /// Creates an environment.
    public init(
        store: any StreamStore,
        streamRoot: String,
        logger: Logger,
        baseURL: @escaping @Sendable () -> String,
        authorizer: (any StreamAuthorizer)? = nil,
        metricsFactory: (any MetricsFactory)? = nil
    ) {
        self.store = store
        self.streamRoot = streamRoot
        self.logger = logger
        self.baseURL = baseURL
        self.authorizer = authorizer
        self.metricsFactory = metricsFactory
    }
}
