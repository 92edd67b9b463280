/// The HTTP header names the Durable Streams protocol defines or relies on.
///
/// Header names compare case-insensitively on the wire; these constants use the spelling of the specification.
public enum ProtocolHeader {
    /// Sliding time-to-live window in seconds, set on create.
    public static let streamTTL = "Stream-TTL"
    /// Absolute expiry time (RFC 3339), set on create.
    public static let streamExpiresAt = "Stream-Expires-At"
    /// Writer sequence for coordination; compared byte-wise.
    public static let streamSeq = "Stream-Seq"
    /// Cursor for CDN collapsing of live reads.
    public static let streamCursor = "Stream-Cursor"
    /// The offset to read from next (the tail after a write).
    public static let streamNextOffset = "Stream-Next-Offset"
    /// Present (`true`) when a response includes all data available.
    public static let streamUpToDate = "Stream-Up-To-Date"
    /// Present (`true`) when a stream is closed, or to close it on a write.
    public static let streamClosed = "Stream-Closed"
    /// Source path of a fork, on `PUT`.
    public static let streamForkedFrom = "Stream-Forked-From"
    /// Divergence offset of a fork, on `PUT`.
    public static let streamForkOffset = "Stream-Fork-Offset"
    /// Sub-position past the fork offset, on `PUT`.
    public static let streamForkSubOffset = "Stream-Fork-Sub-Offset"
    /// Idempotent producer identity.
    public static let producerID = "Producer-Id"
    /// Idempotent producer epoch.
    public static let producerEpoch = "Producer-Epoch"
    /// Idempotent producer sequence number.
    public static let producerSeq = "Producer-Seq"
    /// The sequence the server expected, on a sequence gap.
    public static let producerExpectedSeq = "Producer-Expected-Seq"
    /// The sequence the server received, on a sequence gap.
    public static let producerReceivedSeq = "Producer-Received-Seq"
    /// Marks base64-encoded SSE data events for binary streams.
    public static let sseDataEncoding = "stream-sse-data-encoding"

    /// The full list of protocol headers a browser must be allowed to read (CORS `Access-Control-Expose-Headers`).
    public static let exposedToBrowsers: [String] = [
        streamNextOffset, streamCursor, streamUpToDate, streamClosed, streamTTL, streamExpiresAt,
        producerEpoch, producerSeq, producerExpectedSeq, producerReceivedSeq, sseDataEncoding,
        "ETag", "Location", "Content-Type", "Retry-After", "WWW-Authenticate", "X-Request-Id",
    ]

    /// The request headers a browser may send (CORS `Access-Control-Allow-Headers`).
    public static let allowedFromBrowsers: [String] = [
        "Content-Type", "Authorization", "If-None-Match", streamTTL, streamExpiresAt, streamSeq, streamClosed,
        streamForkedFrom, streamForkOffset, streamForkSubOffset, producerID, producerEpoch, producerSeq, "X-Request-Id",
    ]
}
