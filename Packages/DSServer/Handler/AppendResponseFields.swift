import DSProtocol
import DSStore
import NIOHTTP1

/// The headers of an append's answer, kept as values rather than as `HTTPHeaders`: the transport writes them
/// straight into the response buffer (no header array, no offset string per append), and ``StreamResponse``
/// turns them into `HTTPHeaders` only when someone reads its ``StreamResponse/headers``.
struct AppendResponseFields: Sendable {
    /// `Stream-Next-Offset`: the stream's tail after the append.
    var nextOffset: StreamOffset
    /// `Stream-Closed: true` when the stream is closed.
    var closed: Bool
    /// `Producer-Epoch` and `Producer-Seq` for an idempotent producer's request.
    var producerAck: ProducerAck?

    /// Appends the fields to `headers`, in the order ``write(into:)`` writes them.
    func add(to headers: inout HTTPHeaders) {
        headers.add(name: ProtocolHeader.streamNextOffset, value: nextOffset.description)
        if closed { headers.add(name: ProtocolHeader.streamClosed, value: "true") }
        if let producerAck {
            headers.add(name: ProtocolHeader.producerEpoch, value: String(producerAck.epoch))
            headers.add(name: ProtocolHeader.producerSeq, value: String(producerAck.seq))
        }
        headers.add(name: "Cache-Control", value: "no-store")
    }

    /// The most bytes ``write(into:)`` writes.
    static let maxWrittenBytes = 256

    /// Writes the fields as header lines.
    func write(into head: inout HeadBytes) {
        head.appendHeader(ProtocolHeader.streamNextOffset, nextOffset)
        if closed { head.appendFlag(ProtocolHeader.streamClosed) }
        if let producerAck {
            head.appendHeader(ProtocolHeader.producerEpoch, decimal: producerAck.epoch)
            head.appendHeader(ProtocolHeader.producerSeq, decimal: producerAck.seq)
        }
        head.append("Cache-Control: no-store\r\n")
    }
}
