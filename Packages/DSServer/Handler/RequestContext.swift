import NIOCore

/// What the transport gives the protocol handler besides the request itself.
public struct RequestContext: Sendable {
    /// The event loop the request's connection lives on; every returned future completes on it.
    public var eventLoop: any EventLoop
    /// Allocator for response buffers.
    public var allocator: ByteBufferAllocator
    /// Ends long-lived work when the client hangs up or the server stops.
    public var lifetime: RequestLifetime
    /// The `Host` to use in absolute URLs (`Location`), if known.
    public var host: String?
    /// `http` or `https`.
    public var scheme: String
    /// The client's address (the peer, or the client behind a trusted proxy), for authorisers and rate limits.
    public var clientAddress: SocketAddress?

    /// Creates a context.
    public init(
        eventLoop: any EventLoop,
        allocator: ByteBufferAllocator,
        lifetime: RequestLifetime,
        host: String?,
        scheme: String = "http",
        clientAddress: SocketAddress? = nil
    ) {
        self.eventLoop = eventLoop
        self.allocator = allocator
        self.lifetime = lifetime
        self.host = host
        self.scheme = scheme
        self.clientAddress = clientAddress
    }
}
