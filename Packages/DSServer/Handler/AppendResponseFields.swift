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
        head.append(ProtocolHeader.streamNextOffset)
        head.append(": ")
        head.append(nextOffset)
        head.append("\r\n")
        if closed {
            head.append(ProtocolHeader.streamClosed)
            head.append(": true\r\n")
        }
        if let producerAck {
            head.append(ProtocolHeader.producerEpoch)
            head.append(": ")
            head.appendDecimal(producerAck.epoch)
            head.append("\r\n")
            head.append(ProtocolHeader.producerSeq)
            head.append(": ")
            head.appendDecimal(producerAck.seq)
            head.append("\r\n")
        }
        head.append("Cache-Control: no-store\r\n")
    }
}
