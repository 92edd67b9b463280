import DSProtocol
import NIOCore

/// A validated request to create a stream (`PUT`).
public struct CreateStreamRequest: Sendable {
    /// The stream path below the server's stream root.
    public var path: String
    /// The content type; `nil` when the request named none (default `application/octet-stream`, or the source's type for a fork).
    public var contentType: StreamContentType?
    /// Requested expiry.
    public var expiry: StreamExpiry
    /// Create the stream already closed.
    public var closed: Bool
    /// Initial body as sent by the client (JSON streams: validated and flattened by the store).
    public var body: ByteBuffer
    /// Fork configuration, when the request creates a fork.
    public var fork: ForkSpec?
    /// The request time, for expiry.
    public var now: StoreTimestamp

    /// Creates the request.
    public init(
        path: String,
        contentType: StreamContentType?,
        expiry: StreamExpiry = .none,
        closed: Bool = false,
        body: ByteBuffer = ByteBuffer(),
        fork: ForkSpec? = nil,
        now: StoreTimestamp = .now()
    ) {
        self.path = path
        self.contentType = contentType
        self.expiry = expiry
        self.closed = closed
        self.body = body
        self.fork = fork
        self.now = now
    }
}

/// Where a fork branches off its source.
public struct ForkSpec: Sendable, Hashable {
    /// The source stream's path below the stream root.
    public var sourcePath: String
    /// The divergence offset; `nil` means the source's tail at creation.
    public var offset: StreamOffset?
    /// Bytes (messages for JSON streams) past `offset` to inherit as well.
    public var subOffset: UInt64

    /// Creates a fork specification.
    public init(sourcePath: String, offset: StreamOffset?, subOffset: UInt64 = 0) {
        self.sourcePath = sourcePath
        self.offset = offset
        self.subOffset = subOffset
    }
}

/// The result of a create.
public enum CreateStreamOutcome: Sendable {
    /// A new stream was made (`201`).
    case created(StreamInfo)
    /// A stream with the same configuration already existed (`200`).
    case alreadyExists(StreamInfo)
}
