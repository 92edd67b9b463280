import DSProtocol
import NIOCore

/// A validated catch-up read.
public struct ReadRequest: Sendable {
    /// The stream path below the stream root.
    public var path: String
    /// Where to start.
    public var start: ReadStart
    /// The most bytes to return; JSON streams return whole messages only, at least one if any exists.
    public var maxBytes: Int
    /// The request time, for expiry and TTL sliding.
    public var now: StoreTimestamp

    /// Creates the request.
    public init(path: String, start: ReadStart, maxBytes: Int, now: StoreTimestamp = .now()) {
        self.path = path
        self.start = start
        self.maxBytes = maxBytes
        self.now = now
    }
}

/// The bytes of a read and the stream state they were read at.
public struct ReadOutcome: Sendable {
    /// The stream's metadata at the time of the read.
    public var info: StreamInfo
    /// The offset the data starts at (the resolved start position).
    public var start: StreamOffset
    /// The offset after the returned data (`Stream-Next-Offset`).
    public var next: StreamOffset
    /// The data in stored form, as one or more buffers (shared, never copied per reader).
    /// For JSON streams: whole messages, each followed by `,` (see ``JSONStreamFraming``).
    public var chunks: [ByteBuffer]

    /// Creates the outcome.
    public init(info: StreamInfo, start: StreamOffset, next: StreamOffset, chunks: [ByteBuffer]) {
        self.info = info
        self.start = start
        self.next = next
        self.chunks = chunks
    }

    /// True when the data reaches the tail as it was when read.
    public var isUpToDate: Bool { next == info.tail }

    /// Total number of bytes in ``chunks``.
    public var byteCount: Int { chunks.reduce(0) { $0 + $1.readableBytes } }
}
