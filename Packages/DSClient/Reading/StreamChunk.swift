import DSProtocol
import NIOCore

/// One piece of a stream as a reader received it: the bytes of one response (or one SSE data event batch)
/// and where to resume after them.
///
/// A chunk may be empty: an empty chunk reports that the reader caught up (``upToDate``) or reached the end
/// of the stream (``closed``) without new data.
public struct StreamChunk: Sendable {
    /// The bytes. For JSON streams this is a JSON array of the chunk's messages (see ``jsonMessages()``).
    public var data: ByteBuffer
    /// The offset just after this chunk: persist it and pass it to a new reader to resume exactly here.
    public var offset: Offset
    /// Whether the reader had every byte the stream held when this chunk was sent.
    public var upToDate: Bool
    /// Whether the stream is closed and this chunk reaches its end: nothing will ever follow (EOF).
    public var closed: Bool
    /// The server's content type for the stream, when the response said.
    public var contentType: String?

    /// The separate payloads the chunk was built from (one per SSE data event), kept so JSON arrays can be
    /// split without re-parsing a merged array.
    let payloads: [ByteBuffer]

    init(payloads: [ByteBuffer], offset: Offset, upToDate: Bool, closed: Bool, contentType: String?, isJSON: Bool) {
        self.payloads = payloads
        self.offset = offset
        self.upToDate = upToDate
        self.closed = closed
        self.contentType = contentType
        self.data = StreamChunk.join(payloads, asJSON: isJSON)
    }

    /// The bytes as an array.
    public var bytes: [UInt8] { Array(data.readableBytesView) }
    /// The bytes decoded as UTF-8 (invalid sequences replaced).
    public var text: String { String(decoding: data.readableBytesView, as: UTF8.self) }
    /// Whether the chunk carries no stream data (for JSON streams: no messages).
    public var isEmpty: Bool { payloads.allSatisfy { JSONPayload.isEmpty($0) } }

    /// The messages of a JSON chunk, each as the exact bytes of one JSON value.
    ///
    /// - Throws: ``DurableStreamError/Code/invalidResponse`` when the data is not a JSON array.
    public func jsonMessages() throws(DurableStreamError) -> [ByteBuffer] {
        var messages: [ByteBuffer] = []
        for payload in payloads { messages += try JSONPayload.messages(in: payload) }
        return messages
    }

    /// Joins payloads: bytes are concatenated; JSON arrays are merged into one array.
    static func join(_ payloads: [ByteBuffer], asJSON: Bool) -> ByteBuffer {
        if payloads.count == 1 { return payloads[0] }
        if payloads.isEmpty { return ByteBuffer() }
        if asJSON { return JSONPayload.merge(payloads) }
        var joined = ByteBuffer()
        joined.reserveCapacity(payloads.reduce(0) { $0 + $1.readableBytes })
        for payload in payloads { joined.writeImmutableBuffer(payload) }
        return joined
    }
}

/// Helpers for the JSON arrays a JSON stream's reads return.
enum JSONPayload {
    /// True for a payload with no bytes, or whose only content is an empty JSON array.
    static func isEmpty(_ payload: ByteBuffer) -> Bool {
        var sawOpen = false
        for byte in payload.readableBytesView {
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): continue
            case UInt8(ascii: "[") where !sawOpen: sawOpen = true
            case UInt8(ascii: "]") where sawOpen: continue
            default: return false
            }
        }
        return true
    }

    /// Splits one JSON-array payload into its elements' bytes.
    static func messages(in payload: ByteBuffer) throws(DurableStreamError) -> [ByteBuffer] {
        if payload.readableBytes == 0 { return [] }
        let split: JSONSplit
        do {
            split = try JSONMessageSplitter.split(payload)
        } catch {
            throw DurableStreamError(.invalidResponse, "a JSON stream returned data that is not valid JSON: \(error.message)")
        }
        guard split.isArray else {
            throw DurableStreamError(.invalidResponse, "a JSON stream returned a value that is not an array")
        }
        return split.elements.map { payload.getSlice(at: payload.readerIndex + $0.lowerBound, length: $0.count)! }
    }

    /// Merges several JSON arrays into one, skipping empty ones.
    static func merge(_ payloads: [ByteBuffer]) -> ByteBuffer {
        var merged = ByteBuffer(string: "[")
        var first = true
        for payload in payloads {
            guard let inner = innerBytes(payload) else { continue }
            if !first { merged.writeString(",") }
            merged.writeImmutableBuffer(inner)
            first = false
        }
        merged.writeString("]")
        return merged
    }

    /// The bytes between the outer brackets of an array, or `nil` for an empty array or a non-array.
    private static func innerBytes(_ payload: ByteBuffer) -> ByteBuffer? {
        let view = payload.readableBytesView
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
        guard let open = view.firstIndex(where: { !isSpace($0) }), view[open] == UInt8(ascii: "["),
            let close = view.lastIndex(where: { !isSpace($0) }), view[close] == UInt8(ascii: "]"), close > open
        else { return nil }
        let inner = payload.getSlice(at: open + 1, length: close - open - 1)!
        return inner.readableBytesView.allSatisfy(isSpace) ? nil : inner
    }
}
