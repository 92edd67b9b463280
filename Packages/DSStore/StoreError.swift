import DSProtocol

/// Why a store refused an operation. The server maps each case to a status and headers in one place.
public enum StoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No stream at the path (or it expired): `404`.
    case notFound(path: String)
    /// The stream was deleted but forks still use its data: `410`.
    case gone(path: String)
    /// A create conflicts with the existing stream's configuration: `409`.
    case configurationMismatch(reason: String)
    /// The stream is closed; nothing more can be appended: `409` with `Stream-Closed: true`.
    case streamClosed(tail: StreamOffset)
    /// The append's content type differs from the stream's: `409`.
    case contentTypeMismatch(expected: StreamContentType, received: StreamContentType)
    /// `Stream-Seq` did not increase: `409`.
    case sequenceRegression(last: String, received: String)
    /// The producer's epoch is older than the server's: `403` with `Producer-Epoch`.
    case staleProducerEpoch(current: UInt64)
    /// A new epoch must start at sequence 0: `400`.
    case invalidProducerEpochStart
    /// The producer skipped sequence numbers: `409` with expected and received.
    case producerSequenceGap(expected: UInt64, received: UInt64)
    /// The request is invalid for this stream (bad JSON, offset beyond the tail, fork errors): `400`.
    case invalid(ProtocolError)
    /// The fork source is soft-deleted: `409`.
    case forkSourceGone(path: String)
    /// The store is out of space: `507`.
    case insufficientStorage(reason: String)
    /// The store cannot serve the request now (closed, read-only, I/O failure): `503`.
    case unavailable(String)

    /// A short human-readable reason.
    public var description: String {
        switch self {
        case .notFound(let path): return "stream not found: \(path)"
        case .gone(let path): return "stream was deleted: \(path)"
        case .configurationMismatch(let reason): return "stream exists with a different configuration: \(reason)"
        case .streamClosed: return "stream is closed"
        case .contentTypeMismatch(let expected, let received):
            return "content type \(received.mediaType) does not match the stream's \(expected.mediaType)"
        case .sequenceRegression(let last, let received):
            return "Stream-Seq \(received.prefix(64)) is not greater than the last one, \(last.prefix(64))"
        case .staleProducerEpoch(let current): return "stale producer epoch; current epoch is \(current)"
        case .invalidProducerEpochStart: return "a new producer epoch must start at Producer-Seq 0"
        case .producerSequenceGap(let expected, let received):
            return "producer sequence gap: expected \(expected), received \(received)"
        case .invalid(let error): return error.description
        case .forkSourceGone(let path): return "fork source was deleted: \(path)"
        case .insufficientStorage(let reason): return "insufficient storage: \(reason)"
        case .unavailable(let reason): return "store unavailable: \(reason)"
        }
    }
}
