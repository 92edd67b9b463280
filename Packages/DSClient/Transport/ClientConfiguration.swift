import AsyncHTTPClient

/// Settings shared by every request a ``DurableStream`` (and its readers and producers) sends.
public struct ClientConfiguration: Sendable {
    /// Headers added to every request, reconnects and retries included (e.g. `Authorization`).
    public var headers: [String: String]
    /// Called before every request, reconnects and retries included, for headers that change over time
    /// (a refreshed access token). Its values override ``headers`` of the same name.
    public var dynamicHeaders: (@Sendable () async throws -> [String: String])?
    /// How transient failures are retried.
    public var retry: RetryPolicy
    /// The longest wait for the response head of an ordinary request (and for an SSE connection to open).
    public var requestTimeout: Duration
    /// The longest wait for the head of a long-poll response; must exceed the server's long-poll timeout.
    public var longPollTimeout: Duration
    /// The HTTP client to use; `nil` uses a shared client configured for streaming (see ``defaultHTTPClient``).
    public var httpClient: HTTPClient?
    /// Whether catch-up reads ask for gzip. `nil` asks only when ``httpClient`` is `nil`, because the shared
    /// client decompresses; set it to `true` for a custom client only if that client has decompression enabled.
    public var acceptGzip: Bool?

    /// Creates a configuration.
    public init(
        headers: [String: String] = [:],
        dynamicHeaders: (@Sendable () async throws -> [String: String])? = nil,
        retry: RetryPolicy = .default,
        requestTimeout: Duration = .seconds(30),
        longPollTimeout: Duration = .seconds(120),
        httpClient: HTTPClient? = nil,
        acceptGzip: Bool? = nil
    ) {
        self.headers = headers
        self.dynamicHeaders = dynamicHeaders
        self.retry = retry
        self.requestTimeout = requestTimeout
        self.longPollTimeout = longPollTimeout
        self.httpClient = httpClient
        self.acceptGzip = acceptGzip
    }

    /// The client used when ``httpClient`` is `nil`: connection failures are reported at once (the retry policy
    /// owns back-off), a connection idle for 150 s counts as dead (longer than SSE connection lifetimes and
    /// long-poll waits), and gzip responses are decompressed. It lives for the whole process.
    public static var defaultHTTPClient: HTTPClient { sharedStreamingClient }

    var resolvedHTTPClient: HTTPClient { httpClient ?? sharedStreamingClient }
    var resolvedAcceptGzip: Bool { acceptGzip ?? (httpClient == nil) }
}

private let sharedStreamingClient: HTTPClient = {
    var configuration = HTTPClient.Configuration(
        redirectConfiguration: .follow(max: 5, allowCycles: false),
        timeout: .init(connect: .seconds(10), read: .seconds(150)),
        decompression: .enabled(limit: .size(HTTPExchange.maxCollectedBody))
    )
    configuration.connectionPool.retryConnectionEstablishment = false
    return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
}()
