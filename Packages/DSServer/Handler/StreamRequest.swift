import NIOCore
import NIOHTTP1

/// A request addressed to one stream, independent of the transport that received it.
public struct StreamRequest: Sendable {
    /// The HTTP method.
    public var method: HTTPMethod
    /// The stream path below the stream root, percent-decoded (e.g. `chat/room-1`).
    public var streamPath: String
    /// The request target's path as sent (used for `Location`).
    public var urlPath: String {
        get { String(urlPathText) }
        set { urlPathText = Substring(newValue) }
    }
    /// The path as a slice of the request target: only a create's `Location` needs it as a string of its own,
    /// and copying it out of every request with a query was an allocation per long-poll.
    var urlPathText: Substring
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
        self.init(method: method, streamPath: streamPath, urlPathText: Substring(urlPath), query: query, headers: headers, body: body)
    }

    /// Creates a request whose path is a slice of its request target, as the transport routes it.
    init(
        method: HTTPMethod,
        streamPath: String,
        urlPathText: Substring,
        query: QueryParameters,
        headers: HTTPHeaders,
        body: ByteBuffer
    ) {
        self.method = method
        self.streamPath = streamPath
        self.urlPathText = urlPathText
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
