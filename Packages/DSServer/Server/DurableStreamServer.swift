import DSStore
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// An embeddable Durable Streams HTTP/1.1 server on SwiftNIO.
///
/// ```swift
/// let server = DurableStreamServer(options: ServerOptions(port: 0))
/// try await server.start()
/// print(server.baseURL)   // e.g. http://127.0.0.1:53122
/// try await server.stop()
/// ```
public final class DurableStreamServer: Sendable {
    /// The options the server was created with.
    public let options: ServerOptions
    /// The protocol handler, for mounting the same logic elsewhere.
    public let handler: StreamRequestHandler

    private let lifecycle: LifecycleDispatcher
    private let group: MultiThreadedEventLoopGroup
    private let state = Mutex<State>(State())

    private struct State {
        var channel: (any Channel)?
        var sweeper: Task<Void, Never>?
        var stopped = false
    }

    /// Creates a server; nothing listens until ``start()``.
    public init(options: ServerOptions = ServerOptions()) {
        self.options = options
        self.lifecycle = LifecycleDispatcher(hooks: options.hooks, logger: options.logger)
        self.handler = StreamRequestHandler(options: options, lifecycle: lifecycle)
        self.group = MultiThreadedEventLoopGroup(numberOfThreads: options.eventLoopThreads ?? System.coreCount)
    }

    /// Binds and starts serving. Raises the process's soft limit on open files to its hard limit (never lowers it).
    /// Throws ``ServerConfigurationError`` for an option that cannot be sent as a header,
    /// or the bind error if the address cannot be bound.
    public func start() async throws {
        try ServerConfigurationError.check(options)
        // Thousands of live readers each hold a socket; the usual soft limit of 1,024 descriptors would refuse them.
        if let limits = FileDescriptorLimit.current(), let raised = FileDescriptorLimit.raiseSoftLimitToHard(), raised != limits.soft {
            options.logger.debug("raised the open-file soft limit", metadata: ["from": "\(limits.soft)", "to": "\(raised)"])
        }
        for hook in options.hooks { try await hook.prepare(store: options.store) }
        if let controlAPI = options.controlAPI {
            let environment = ControlEnvironment(
                store: options.store,
                streamRoot: options.streamRoot,
                logger: options.logger,
                baseURL: { [weak self] in self?.baseURL ?? "" },
                authorizer: options.authorizer,
                metricsFactory: options.operations.metricsFactory
            )
            try await controlAPI.start(environment)
        }
        let handler = self.handler
        let options = self.options
        let tlsContext = try options.tls.map { try NIOSSLContext(configuration: $0) }
        let scheme = tlsContext == nil ? "http" : "https"
        await countExistingStreams()
        let router = StreamPathRouter(streamRoot: options.streamRoot)
        var commonHeaders = HTTPHeaders()
        handler.addCommonHeaders(to: &commonHeaders)
        let headWriter = ResponseHeadWriter(commonHeaders: commonHeaders)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.writeBufferWaterMark, value: ChannelOptions.Types.WriteBufferWaterMark(low: 32 * 1024, high: 256 * 1024))
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tlsContext {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tlsContext))
                    }
                    // HTTPChannelHandler parses requests (HTTPRequestParser), writes responses as bytes and
                    // queues pipelined requests itself: no NIO decoder, pipelining handler, response encoder or
                    // header validator (our header values are checked where they are made, see
                    // ServerConfigurationError.check and HeaderSafety).
                    try channel.pipeline.syncOperations.addHandler(
                        HTTPChannelHandler(handler: handler, router: router, limits: options.limits, headWriter: headWriter, scheme: scheme)
                    )
                }
            }
        let channel = try await bootstrap.bind(host: options.host, port: options.port).get()
        store.setExpiryObserver { [handler] expired in
            handler.emit(.expired, path: expired.path, contentType: expired.contentType, at: expired.at)
        }
        let sweeper = Task.detached { [store, handler, interval = options.expirySweepInterval, clock = options.clock] in
            var trimmer = MemoryTrimmer()
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: UInt64(max(interval.nanoseconds, 1_000_000)))
                _ = store.removeExpired(now: clock.now())
                trimmer.observe(liveReaders: handler.liveRequests.count)
            }
        }
        state.withLock {
            $0.channel = channel
            $0.sweeper = sweeper
        }
    }

    private var store: any StreamStore { options.store }

    /// Starts the stream gauge from the streams already in the store; lifecycle events keep it current.
    private func countExistingStreams() async {
        let eventLoop = group.any()
        do {
            let streams = try await store.list(now: options.clock.now(), on: eventLoop).get()
            handler.operations.metrics.streams.set(streams.count)
        } catch {
            options.logger.warning("could not count existing streams for metrics", metadata: ["error": "\(error)"])
        }
    }

    /// The bound port (the real one when started with port `0`).
    public var port: Int {
        state.withLock { $0.channel?.localAddress?.port } ?? options.port
    }

    /// `http://host:port` (`https://` with TLS), without the stream root.
    public var baseURL: String {
        let host = options.host.contains(":") ? "[\(options.host)]" : options.host
        return "\(options.tls == nil ? "http" : "https")://\(host):\(port)"
    }

    /// Long-polls and SSE sessions currently in progress (waiting or streaming).
    public var liveRequestCount: Int { handler.liveRequests.count }

    /// Bytes written to live (SSE) connections that their sockets have not taken yet. Back-pressure keeps this
    /// to about one read chunk per slow reader.
    public var pendingLiveOutboundBytes: Int { handler.liveRequests.pendingOutboundBytes }

    /// The URL of the stream root, e.g. `http://127.0.0.1:4437/v1/stream/`.
    public var streamRootURL: String { baseURL + options.streamRoot }

    /// Requests in progress, from their head arriving to their last byte written (live reads included).
    public var inFlightRequestCount: Int { handler.operations.inFlightCount }

    /// Stops gracefully: fails readiness and stops keeping connections alive, stops accepting, answers every
    /// waiting long-poll, ends SSE sessions, lets in-flight requests (appends included) finish for up to
    /// `gracePeriod` (default ``ServerOptions/shutdownTimeout``), delivers queued lifecycle events, and
    /// closes the store (which syncs a durable one).
    public func stop(gracePeriod: TimeAmount? = nil) async throws {
        let (channel, sweeper, alreadyStopped) = state.withLock { state in
            defer { state.stopped = true }
            return (state.channel, state.sweeper, state.stopped)
        }
        guard !alreadyStopped else { return }
        handler.operations.beginDraining()
        sweeper?.cancel()
        try? await channel?.close()
        handler.endLiveRequests()
        // Let answered long-polls, ended SSE streams and in-flight requests (appends waiting for their
        // sync) finish before connections are torn down.
        let grace = gracePeriod ?? options.shutdownTimeout
        let deadline = ContinuousClock.now + .nanoseconds(grace.nanoseconds)
        while (handler.liveRequests.count > 0 || handler.operations.inFlightCount > 0) && ContinuousClock.now < deadline {
            try? await Task.sleep(nanoseconds: 5_000_000)
        }
        let unfinished = handler.operations.inFlightCount
        if unfinished > 0 {
            options.logger.warning("shutdown deadline passed with requests still in flight", metadata: ["requests": "\(unfinished)"])
        }
        try await group.shutdownGracefully()
        await options.controlAPI?.stop()
        await lifecycle.finish()
        try await store.close()
    }
}
