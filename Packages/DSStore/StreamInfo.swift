import DSProtocol

/// A stream's metadata.
public struct StreamInfo: Sendable, Hashable {
    /// The stream's path below the stream root.
    public var path: String
    /// Identifies this incarnation of the stream (a stream re-created at the same path gets a new id); used in ETags.
    public var id: UInt64
    /// The content type set at creation.
    public var contentType: StreamContentType
    /// The tail offset.
    public var tail: StreamOffset
    /// Whether the stream is closed.
    public var closed: Bool
    /// The expiry rule set at creation.
    public var expiry: StreamExpiry
    /// When the stream expires at the time of the call (TTL streams: last access + TTL), if it does.
    public var expiresAt: StoreTimestamp?
    /// Creation time.
    public var createdAt: StoreTimestamp
    /// The fork configuration, when this stream is a fork (its offset is the anchor resolved at creation).
    public var fork: ForkSpec?
    /// True when this fork's expiry was inherited from its source because the fork request named none;
    /// a repeated fork request without expiry headers then matches it (PROTOCOL.md §4.2).
    public var expiryInherited: Bool

    /// Creates the value.
    public init(
        path: String,
        id: UInt64,
        contentType: StreamContentType,
        tail: StreamOffset,
        closed: Bool,
        expiry: StreamExpiry,
        expiresAt: StoreTimestamp?,
        createdAt: StoreTimestamp,
        fork: ForkSpec? = nil,
        expiryInherited: Bool = false
    ) {
        self.path = path
        self.id = id
        self.contentType = contentType
        self.tail = tail
        self.closed = closed
        self.expiry = expiry
        self.expiresAt = expiresAt
        self.createdAt = createdAt
        self.fork = fork
        self.expiryInherited = expiryInherited
    }
}

/// The result of a delete.
public enum DeleteOutcome: Sendable, Hashable {
    /// The stream and its data are gone.
    case deleted(StreamInfo)
    /// Forks still read the stream's data: it answers `410 Gone` until the last fork goes.
    case softDeleted(StreamInfo)
}
