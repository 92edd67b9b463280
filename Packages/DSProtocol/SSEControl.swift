/// The JSON payload of an SSE `control` event.
public struct SSEControl: Sendable, Hashable {
    /// The offset to resume from.
    public var streamNextOffset: StreamOffset
    /// The cursor for CDN collapsing; omitted once the stream is closed.
    public var streamCursor: String?
    /// True when the client has every byte available.
    public var upToDate: Bool
    /// True when the stream is closed and everything up to its end was sent.
    public var streamClosed: Bool

    /// Creates a control payload.
    public init(streamNextOffset: StreamOffset, streamCursor: String?, upToDate: Bool, streamClosed: Bool) {
        self.streamNextOffset = streamNextOffset
        self.streamCursor = streamCursor
        self.upToDate = upToDate
        self.streamClosed = streamClosed
    }
}
