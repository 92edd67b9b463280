/// How a reader gets data once it has read everything the stream holds.
public enum ReadMode: Sendable, Hashable {
    /// Read what exists and stop when up to date (or at end-of-stream). No waiting.
    case catchUp
    /// Follow the stream with long-polls: each request waits on the server until data arrives.
    case longPoll
    /// Follow the stream over Server-Sent Events, reconnecting when the server ends a connection.
    case sse
    /// Catch up with plain reads, then follow live: SSE for text and JSON streams, long-poll for binary
    /// streams (which SSE would base64-encode). Falls back to long-poll when the server refuses SSE.
    case auto

    /// Whether the reader waits for new data rather than stopping when up to date.
    public var isLive: Bool { self != .catchUp }
}
