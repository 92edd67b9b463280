import DSProtocol
import Foundation

/// Short names for the protocol vocabulary the cases use over and over.
enum H {
    static let closed = ProtocolHeader.streamClosed
    static let nextOffset = ProtocolHeader.streamNextOffset
    static let upToDate = ProtocolHeader.streamUpToDate
    static let cursor = ProtocolHeader.streamCursor
    static let ttl = ProtocolHeader.streamTTL
    static let expiresAt = ProtocolHeader.streamExpiresAt
    static let seq = ProtocolHeader.streamSeq
    static let forkedFrom = ProtocolHeader.streamForkedFrom
    static let forkOffset = ProtocolHeader.streamForkOffset
    static let forkSubOffset = ProtocolHeader.streamForkSubOffset
    static let producerID = ProtocolHeader.producerID
    static let producerEpoch = ProtocolHeader.producerEpoch
    static let producerSeq = ProtocolHeader.producerSeq
    static let expectedSeq = ProtocolHeader.producerExpectedSeq
    static let receivedSeq = ProtocolHeader.producerReceivedSeq
    static let sseEncoding = ProtocolHeader.sseDataEncoding
    static let contentType = "Content-Type"
    static let cacheControl = "Cache-Control"

    static let longPoll = LiveMode.longPoll.rawValue
    static let sse = LiveMode.sse.rawValue

    /// The three idempotent-producer headers.
    static func producer(_ id: String, epoch: Int, seq: Int) -> [(String, String)] {
        [(producerID, id), (producerEpoch, String(epoch)), (producerSeq, String(seq))]
    }
}

/// The content types the cases use.
enum CT {
    static let text = "text/plain"
    static let json = "application/json"
    static let binary = "application/octet-stream"
}

/// Every byte value once, for byte-exactness checks.
let allByteValues: [UInt8] = Array(0...255)

/// An RFC 3339 timestamp `seconds` from now (whole seconds, UTC).
func rfc3339(secondsFromNow seconds: Int64) -> String {
    let now = Int64(Date().timeIntervalSince1970)
    return RFC3339.format(milliseconds: (now + seconds) * 1000)
}
