import DSStore
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
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

    /// Binds and starts serving. Throws if the address cannot be bound.
    public func start() async throws {
        let handler = self.handler
        let options = self.options
        try options.validateHeaderValues()
        let router = StreamPathRouter(streamRoot: options.streamRoot)
        var limits = NIOHTTPDecoderLimitConfiguration()
        limits.maxHeaderListSize = options.limits.maxHeaderBytes
        limits.maxHeaderFieldSize = options.limits.maxHeaderBytes
        let decoderLimits = limits
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.writeBufferWaterMark, value: ChannelOptions.Types.WriteBufferWaterMark(low: 32 * 1024, high: 256 * 1024))
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                        withPipeliningAssistance: true,
                        withErrorHandling: false,
                        // Off: NIO's validator scanned every byte of every response header (about 12% of server CPU in
                        // the append profile). Our header values are constants, numbers, offsets, or values that arrived
                        // as request header values or request-target paths, which the HTTP parser already refused to
                        // carry CR, LF or NUL; percent-decoded query values never reach a response header.
                        withOutboundHeaderValidation: false,
                        withEncoderConfiguration: HTTPResponseEncoder.Configuration(),
                        withDecoderLimitConfiguration: decoderLimits
                    )
                    try channel.pipeline.syncOperations.addHandler(
                        HTTPChannelHandler(handler: handler, router: router, limits: options.limits)
                    )
                }
            }
        let channel = try await bootstrap.bind(host: options.host, port: options.port).get()
        store.setExpiryObserver { [handler] expired in
            handler.emit(.expired, path: expired.path, contentType: expired.contentType, at: expired.at)
        }
        let sweeper = Task.detached { [store, interval = options.expirySweepInterval] in
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: UInt64(max(interval.nanoseconds, 1_000_000)))
                _ = store.removeExpired(now: .now())
            }
        }
        state.withLock {
            $0.channel = channel
            $0.sweeper = sweeper
        }
    }

    private var store: any StreamStore { options.store }

    /// The bound port (the real one when started with port `0`).
    public var port: Int {
        state.withLock { $0.channel?.localAddress?.port } ?? options.port
    }

    /// `http://host:port`, without the stream root.
    public var baseURL: String {
        let host = options.host.contains(":") ? "[\(options.host)]" : options.host
        return "http://\(host):\(port)"
    }

    /// The URL of the stream root, e.g. `http://127.0.0.1:4437/v1/stream/`.
    public var streamRootURL: String { baseURL + options.streamRoot }

    /// Stops gracefully: stops accepting, answers every waiting long-poll, ends SSE sessions, lets in-flight
    /// requests finish (up to `gracePeriod`), delivers queued lifecycle events, and closes the store.
    public func stop(gracePeriod: TimeAmount = .seconds(1)) async throws {
        let (channel, sweeper, alreadyStopped) = state.withLock { state in
            defer { state.stopped = true }
            return (state.channel, state.sweeper, state.stopped)
        }
        guard !alreadyStopped else { return }
        sweeper?.cancel()
        try? await channel?.close()
        handler.endLiveRequests()
        // Give answered long-polls and ended SSE streams a moment to flush before connections are torn down.
        let deadline = ContinuousClock.now + .nanoseconds(gracePeriod.nanoseconds)
        while handler.liveRequests.count > 0 && ContinuousClock.now < deadline {
            try? await Task.sleep(nanoseconds: 5_000_000)
        }
        try await group.shutdownGracefully()
        await lifecycle.finish()
        try await store.close()
    }
}
