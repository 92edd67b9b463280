/// Where the server under test lives and how hard to drive it.
public struct ConformanceConfiguration: Sendable {
    /// The server's origin, e.g. `http://127.0.0.1:4437` (a trailing `/` is ignored).
    public var baseURL: String
    /// The URL path under which every path names a stream; starts and ends with `/`.
    public var streamRoot: String
    /// How many cases run at the same time.
    public var concurrency: Int
    /// Seed for the randomised cases; each case derives its own generator from it and its name.
    public var seed: UInt64
    /// Prefix of every stream name the suite creates, so its streams are easy to recognise on a shared server.
    public var streamPrefix: String
    /// Client-side limit for a request the server may legitimately hold until its long-poll timeout.
    /// The suite tolerates any server long-poll timeout up to 30 seconds.
    public var longPollLimit: Duration
    /// Client-side limit for every other request, and for waiting on an event a live read must deliver.
    public var requestLimit: Duration
    /// Longest a single case may run before it is reported as failed.
    public var caseLimit: Duration

    /// Creates a configuration for the server at `baseURL` whose streams live under `streamRoot`.
    public init(
        baseURL: String,
        streamRoot: String = "/v1/stream/",
        concurrency: Int = 8,
        seed: UInt64 = UInt64.random(in: 1...999_999_999),
        streamPrefix: String = "conformance",
        longPollLimit: Duration = .seconds(35),
        requestLimit: Duration = .seconds(20),
        caseLimit: Duration = .seconds(120)
    ) {
        var origin = baseURL
        while origin.hasSuffix("/") { origin.removeLast() }
        var root = streamRoot
        if !root.hasPrefix("/") { root = "/" + root }
        if !root.hasSuffix("/") { root += "/" }
        self.baseURL = origin
        self.streamRoot = root
        self.concurrency = max(1, concurrency)
        self.seed = seed
        self.streamPrefix = streamPrefix
        self.longPollLimit = longPollLimit
        self.requestLimit = requestLimit
        self.caseLimit = caseLimit
    }
}
