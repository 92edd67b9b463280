import DSProtocol
import NIOCore

/// A validated request to append to and/or close a stream (`POST`).
public struct AppendRequest: Sendable {
    /// The stream path below the stream root.
    public var path: String
    /// The request's content type; compared with the stream's when the body is non-empty.
    public var contentType: StreamContentType?
    /// The bytes to append (JSON streams: validated and flattened by the store). May be empty only when closing.
    public var body: ByteBuffer
    /// Close the stream after this append (`Stream-Closed: true`).
    public var close: Bool
    /// Writer sequence (`Stream-Seq`), compared byte-wise with the last one.
    public var seq: String?
    /// Idempotent producer stamp.
    public var producer: ProducerStamp?
    /// The request time, for expiry and TTL sliding.
    public var now: StoreTimestamp

    /// Creates the request.
    public init(
        path: String,
        contentType: StreamContentType?,
        body: ByteBuffer,
        close: Bool = false,
        seq: String? = nil,
        producer: ProducerStamp? = nil,
        now: StoreTimestamp = .now()
    ) {
        self.path = path
        self.contentType = contentType
        self.body = body
        self.close = close
        self.seq = seq
        self.producer = producer
        self.now = now
    }
}

/// The result of a successful append or close.
public struct AppendOutcome: Sendable, Hashable {
    /// What happened.
    public enum Kind: Sendable, Hashable {
        /// New data was stored (and the stream closed if asked).
        case appended
        /// The request repeated one already applied (idempotent producer retry, or a close of a closed stream).
        case duplicate
        /// Nothing was appended; the stream is now closed.
        case closed
    }

    /// What happened.
    public var kind: Kind
    /// The tail after the operation.
    public var tail: StreamOffset
    /// Whether the stream is closed now.
    public var closed: Bool
    /// For producer requests: the epoch and highest accepted sequence to echo.
    public var producerAck: ProducerAck?

    /// Creates an outcome.
    public init(kind: Kind, tail: StreamOffset, closed: Bool, producerAck: ProducerAck? = nil) {
        self.kind = kind
        self.tail = tail
        self.closed = closed
        self.producerAck = producerAck
    }
}

/// The producer state echoed on success: `Producer-Epoch` and `Producer-Seq`.
public struct ProducerAck: Sendable, Hashable {
    /// The producer's current epoch.
    public var epoch: UInt64
    /// The highest sequence accepted in that epoch.
    public var seq: UInt64

    /// Creates the value.
    public init(epoch: UInt64, seq: UInt64) {
        self.epoch = epoch
        self.seq = seq
    }
}
