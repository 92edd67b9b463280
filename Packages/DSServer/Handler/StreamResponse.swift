import NIOCore
import NIOHTTP1

/// What the protocol handler answers: a complete response, or the head of an event stream that the
/// transport then drives with an ``SSESession``.
public struct StreamResponse: Sendable {
    /// The status.
    public var status: HTTPResponseStatus
    /// Response headers (the transport adds framing headers).
    public var headers: HTTPHeaders
    /// The body.
    public var body: Body
    /// Whether ``StreamRequestHandler/addCommonHeaders(to:)`` already ran on ``headers`` (the hot append path adds
    /// them while building, so the transport need not copy the headers to add them).
    var includesCommonHeaders = false

    /// A response body.
    public enum Body: Sendable {
        /// No body.
        case empty
        /// A complete body in one or more buffers, written in order.
        case buffers([ByteBuffer])
        /// A Server-Sent Events stream produced by the session.
        case eventStream(SSESession)
    }

    /// Creates a response.
    public init(status: HTTPResponseStatus, headers: HTTPHeaders = HTTPHeaders(), body: Body = .empty) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// Number of body bytes for a complete body.
    var contentLength: Int {
        if case .buffers(let buffers) = body { return buffers.reduce(0) { $0 + $1.readableBytes } }
        return 0
    }
}
