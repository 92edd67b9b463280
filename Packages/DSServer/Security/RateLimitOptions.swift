/// Per-client limits: request and byte rates with bursts (token buckets) and a cap on live reads.
///
/// A client is its address (after trusted-proxy resolution) or, with ``ClientKey/principal``, the name
/// the authoriser gave its credentials (falling back to the address for anonymous requests). Requests over
/// a limit get `429 Too Many Requests` with `Retry-After`. Only stream requests are limited; the metrics and
/// health endpoints are not.
public struct RateLimitOptions: Sendable, Hashable {
    /// How clients are told apart.
    public enum ClientKey: String, Sendable, Hashable {
        /// By network address.
        case address
        /// By the authoriser's principal (for example the bearer token's name), else by address.
        case principal
    }

    /// Sustained requests per second per client; `nil` for no request rate limit.
    public var requestsPerSecond: Double?
    /// Requests a client may send at once after being idle; `nil` means one second's worth (at least 1).
    public var requestBurst: Double?
    /// Sustained request body bytes per second per client; `nil` for no byte rate limit.
    public var bytesPerSecond: Double?
    /// Body bytes a client may send at once after being idle; `nil` means one second's worth. A single body
    /// larger than the burst is accepted when the bucket is full and leaves the client in debt.
    public var byteBurst: Double?
    /// Live reads (long-polls and SSE sessions) one client may hold open at once; `nil` for no cap.
    public var maxLiveRequestsPerClient: Int?
    /// How clients are told apart.
    public var clientKey: ClientKey

    /// Creates limits; every limit is off unless given.
    public init(
        requestsPerSecond: Double? = nil,
        requestBurst: Double? = nil,
        bytesPerSecond: Double? = nil,
        byteBurst: Double? = nil,
        maxLiveRequestsPerClient: Int? = nil,
        clientKey: ClientKey = .address
    ) {
        self.requestsPerSecond = requestsPerSecond
        self.requestBurst = requestBurst
        self.bytesPerSecond = bytesPerSecond
        self.byteBurst = byteBurst
        self.maxLiveRequestsPerClient = maxLiveRequestsPerClient
        self.clientKey = clientKey
    }

    var requestCapacity: Double { requestBurst ?? max(requestsPerSecond ?? 1, 1) }
    var byteCapacity: Double { byteBurst ?? max(bytesPerSecond ?? 1, 1) }
}
