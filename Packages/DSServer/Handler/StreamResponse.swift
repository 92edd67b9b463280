import NIOCore
import NIOHTTP1

/// What the protocol handler answers: a complete response, or the head of an event stream that the
/// transport then drives with an ``SSESession``.
public struct StreamResponse: Sendable {
    /// The status.
    public var status: HTTPResponseStatus
    /// Response headers (the transport adds framing headers).
    public var headers: HTTPHeaders {
        get {
            guard let fields else { return explicitHeaders }
            var headers = HTTPHeaders()
            fields.add(to: &headers)
            for (name, value) in explicitHeaders { headers.add(name: name, value: value) }
            return headers
        }
        set {
            explicitHeaders = newValue
            fields = nil
        }
    }
    /// The headers other than ``fields``.
    private(set) var explicitHeaders: HTTPHeaders
    /// An append's or a read's headers, kept as values until someone reads ``headers`` (the transport writes
    /// them directly).
    private(set) var fields: ResponseFields?
    /// The body.
    public var body: Body

    /// A response body.
    public enum Body: Sendable {
        /// No body.
        case empty
        /// A complete body in one or more buffers, written in order.
        case buffers([ByteBuffer])
        /// A Server-Sent Events stream produced by the session.
        case eventStream(SSESession)
    }

    /// Whether the protocol handler already added the common headers (security, CORS), so the transport need not.
    var includesCommonHeaders = false

    /// Creates a response.
    public init(status: HTTPResponseStatus, headers: HTTPHeaders = HTTPHeaders(), body: Body = .empty) {
        self.status = status
        self.explicitHeaders = headers
        self.body = body
    }

    /// An answer whose protocol headers are kept as values.
    init(status: HTTPResponseStatus, fields: ResponseFields, body: Body = .empty) {
        self.init(status: status, body: body)
        self.fields = fields
    }

    /// Number of body bytes for a complete body.
    var contentLength: Int {
        if case .buffers(let buffers) = body { return buffers.reduce(0) { $0 + $1.readableBytes } }
        return 0
    }
}
