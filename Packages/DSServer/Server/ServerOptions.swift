import DSCursor
import DSStore
import Logging
import NIOCore
import NIOSSL

/// Everything that configures a ``DurableStreamServer``.
public struct ServerOptions: Sendable {
    /// TCP port; `0` picks a free ephemeral port (read it back from ``DurableStreamServer/port``).
    public var port: Int
    /// Interface to bind.
    public var host: String
    /// The storage backend.
    public var store: any StreamStore
    /// Hooks called after streams are created, deleted or expire.
    public var hooks: [any StreamLifecycleHook]
    /// CORS for browser clients; `nil` disables CORS headers.
    public var cors: CORSOptions?
    /// CDN cursor settings for live reads.
    public var cursorOptions: CursorOptions
    /// How long a long-poll waits for data before answering `204`.
    public var longPollTimeout: TimeAmount
    /// How long an SSE connection stays open before the server closes it (clients reconnect; CDNs collapse).
    public var sseConnectionLifetime: TimeAmount
    /// gzip response compression; `nil` disables it.
    public var compression: CompressionOptions?
    /// Size limits on requests.
    public var limits: ServerLimits
    /// URL path under which every path is a stream; must start and end with `/`.
    public var streamRoot: String
    /// Largest catch-up chunk returned by one read.
    public var readChunkBytes: Int
    /// Whether catch-up reads are marked `public` (shared caches may store them) or `private`.
    public var publicCaching: Bool
    /// `Cross-Origin-Resource-Policy` value sent on every response.
    public var crossOriginResourcePolicy: String
    /// How often expired streams are swept from the store in the background.
    public var expirySweepInterval: TimeAmount
    /// Event loop threads; `nil` uses one per core.
    public var eventLoopThreads: Int?
    /// Where the server reports errors and lifecycle problems. The library never bootstraps logging.
    public var logger: Logger
    /// Request logs, metrics, and the health, readiness and metrics endpoints.
    public var operations: OperationsOptions
    /// TLS for HTTPS (HTTP/1.1); `nil` serves plain HTTP (for use behind a TLS-terminating proxy).
    /// ``TLSConfiguration/durableStreamsServer(certificateChainPEMFile:privateKeyPEMFile:)`` builds one from PEM files.
    public var tls: TLSConfiguration?
    /// Peers whose `X-Forwarded-Proto`, `X-Forwarded-Host` and `X-Forwarded-For` are believed; from anyone
    /// else those headers are ignored.
    public var trustedProxies: [NetworkRange]
    /// Decides which requests may read, write, create or delete streams; `nil` allows everything.
    public var authorizer: (any StreamAuthorizer)?
    /// Per-client request, byte and live-read limits; `nil` for none.
    public var rateLimits: RateLimitOptions?
    /// How long ``DurableStreamServer/stop(gracePeriod:)`` waits for in-flight requests to finish by default.
    public var shutdownTimeout: TimeAmount
    /// Serves the reserved `__ds` namespace (subscriptions); `nil` answers those paths with a JSON `404`.
    public var controlAPI: (any ReservedRouteHandler)? = nil
    /// The wall clock every expiry decision (TTL, `Stream-Expires-At`, the background sweep) reads.
    /// Leave it as ``StoreClock/system`` outside tests.
    public var clock: StoreClock = .system

    /// Creates options; every parameter has a production-sensible default.
    public init(
        port: Int = 4437,
        host: String = "127.0.0.1",
        store: any StreamStore = MemoryStreamStore(),
        hooks: [any StreamLifecycleHook] = [],
        cors: CORSOptions? = CORSOptions(),
        cursorOptions: CursorOptions = CursorOptions(),
        longPollTimeout: TimeAmount = .seconds(30),
        sseConnectionLifetime: TimeAmount = .seconds(60),
        compression: CompressionOptions? = CompressionOptions(),
        limits: ServerLimits = ServerLimits(),
        streamRoot: String = "/v1/stream/",
        readChunkBytes: Int = 1024 * 1024,
        publicCaching: Bool = true,
        crossOriginResourcePolicy: String = "cross-origin",
        expirySweepInterval: TimeAmount = .seconds(1),
        eventLoopThreads: Int? = nil,
        logger: Logger = Logger(label: "durable-streams.server"),
        operations: OperationsOptions = OperationsOptions(),
        tls: TLSConfiguration? = nil,
        trustedProxies: [NetworkRange] = [],
        authorizer: (any StreamAuthorizer)? = nil,
        rateLimits: RateLimitOptions? = nil,
        shutdownTimeout: TimeAmount = .seconds(10)
    ) {
        self.port = port
        self.host = host
        self.store = store
        self.hooks = hooks
        self.cors = cors
        self.cursorOptions = cursorOptions
        self.longPollTimeout = longPollTimeout
        self.sseConnectionLifetime = sseConnectionLifetime
        self.compression = compression
        self.limits = limits
        self.streamRoot = streamRoot
        self.readChunkBytes = readChunkBytes
        self.publicCaching = publicCaching
        self.crossOriginResourcePolicy = crossOriginResourcePolicy
        self.expirySweepInterval = expirySweepInterval
        self.eventLoopThreads = eventLoopThreads
        self.logger = logger
        self.operations = operations
        self.tls = tls
        self.trustedProxies = trustedProxies
        self.authorizer = authorizer
        self.rateLimits = rateLimits
        self.shutdownTimeout = shutdownTimeout
    }
}

/// Request size limits. Exceeding one gets a clear error status, never a crash.
public struct ServerLimits: Sendable, Hashable {
    /// Largest request body (`413 Payload Too Large` beyond it).
    public var maxBodyBytes: Int
    /// Largest request head: the request line and the header fields, CRLFs included, up to the empty line ending
    /// them (`431 Request Header Fields Too Large` beyond it). Also bounds a chunked body's trailer section.
    public var maxHeaderBytes: Int
    /// Longest request target, path plus query (`414 URI Too Long` beyond it).
    public var maxURIBytes: Int
    /// Most header fields in one request, and most trailer fields after a chunked body
    /// (`431 Request Header Fields Too Large` beyond it). Each field costs two strings, so a head of many tiny
    /// fields within ``maxHeaderBytes`` would otherwise cost far more memory and time than its size suggests.
    public var maxHeaderFields: Int
    /// Most appends one connection has in flight at once when a client pipelines them (sends the next before
    /// the previous answer arrived).
    ///
    /// An append pipelined behind appends is handed to the store at once, without waiting for the answers before
    /// it, so a durable store commits them together (one sync for many) instead of one after another; answers are
    /// still sent in request order. At this many, the connection stops reading until the oldest is answered.
    /// The bodies of the appends handed over early together also stay within ``maxBodyBytes``. Any other request
    /// waits until everything before it is answered. `1` answers every request before taking up the next.
    public var maxPipelinedAppends: Int

    /// Creates limits: 64 MiB bodies, 32 KiB of headers in at most 100 fields, 8 KiB request targets and 32
    /// pipelined appends per connection by default.
    public init(
        maxBodyBytes: Int = 64 * 1024 * 1024,
        maxHeaderBytes: Int = 32 * 1024,
        maxURIBytes: Int = 8 * 1024,
        maxHeaderFields: Int = 100,
        maxPipelinedAppends: Int = 32
    ) {
        self.maxBodyBytes = maxBodyBytes
        self.maxHeaderBytes = maxHeaderBytes
        self.maxURIBytes = maxURIBytes
        self.maxHeaderFields = maxHeaderFields
        self.maxPipelinedAppends = maxPipelinedAppends
    }
}

/// CORS settings for browser clients.
public struct CORSOptions: Sendable, Hashable {
    /// `Access-Control-Allow-Origin` value (`*` or one origin).
    public var allowOrigin: String
    /// How long browsers may cache a preflight answer, in seconds.
    public var maxAgeSeconds: Int

    /// Creates CORS settings; by default any origin may call the server.
    public init(allowOrigin: String = "*", maxAgeSeconds: Int = 86_400) {
        self.allowOrigin = allowOrigin
        self.maxAgeSeconds = maxAgeSeconds
    }
}

/// gzip response compression settings.
public struct CompressionOptions: Sendable, Hashable {
    /// Bodies smaller than this are sent as they are.
    public var minimumBytes: Int
    /// zlib level, 1 (fast) to 9 (small).
    public var level: Int32

    /// Creates compression settings.
    public init(minimumBytes: Int = 1024, level: Int32 = 1) {
        self.minimumBytes = minimumBytes
        self.level = level
    }
}
