import NIOCore
import NIOHTTP1

/// A request addressed to one stream, independent of the transport that received it.
public struct StreamRequest: Sendable {
    /// The HTTP method.
    public var method: HTTPMethod
    /// The stream path below the stream root, percent-decoded (e.g. `chat/room-1`).
    public var streamPath: String
    /// The request target's path as sent (used for `Location`).
    public var urlPath: String
    /// Query parameters, percent-decoded; the first occurrence of a name wins.
    public var query: QueryParameters
    /// Request headers.
    public var headers: HTTPHeaders
    /// The request body (empty when none).
    public var body: ByteBuffer

    /// Creates a request.
    public init(
        method: HTTPMethod,
        streamPath: String,
        urlPath: String,
        query: QueryParameters,
        headers: HTTPHeaders,
        body: ByteBuffer
    ) {
        self.method = method
        self.streamPath = streamPath
        self.urlPath = urlPath
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// Creates a request with its query parameters given as a dictionary.
    public init(
        method: HTTPMethod,
        streamPath: String,
        urlPath: String,
        query: [String: String],
        headers: HTTPHeaders,
        body: ByteBuffer
    ) {
        self.init(method: method, streamPath: streamPath, urlPath: urlPath, query: QueryParameters(query), headers: headers, body: body)
    }
}
