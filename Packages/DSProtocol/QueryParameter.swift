/// Query parameter names and values used on stream reads.
public enum QueryParameter {
    /// The offset to read from (`-1`, `now`, or a server-minted offset).
    public static let offset = "offset"
    /// The live mode (`long-poll` or `sse`).
    public static let live = "live"
    /// Echo of the last `Stream-Cursor`, for CDN collapsing.
    public static let cursor = "cursor"
}

/// How a read waits for data that is not there yet.
public enum LiveMode: String, Sendable, Hashable {
    /// Hold the request until data arrives or a timeout passes.
    case longPoll = "long-poll"
    /// Stream Server-Sent Events.
    case sse = "sse"
}
