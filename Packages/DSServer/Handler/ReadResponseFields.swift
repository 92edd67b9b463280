import DSProtocol
import NIOHTTP1

/// The headers of a read's answer (catch-up and long-poll `200`, long-poll `204`, `304`), kept as values rather
/// than as `HTTPHeaders`, like ``AppendResponseFields``: the transport writes them straight into the response
/// buffer. A long-poll fan-out writes one such answer per reader per append, and building a header array of
/// offset, entity-tag and cursor strings for each was a large part of a delivery's cost.
struct ReadResponseFields: Sendable {
    /// `Content-Type` of a `200` (none on `204` and `304`).
    var contentType: String?
    /// `Stream-Next-Offset`.
    var nextOffset: StreamOffset
    /// `Stream-Up-To-Date: true`.
    var upToDate: Bool
    /// `Stream-Closed: true`.
    var closed: Bool
    /// `Stream-Cursor` of a live answer.
    var cursor: String?
    /// The `ETag` of a catch-up or long-poll `200` (PROTOCOL.md §5.6).
    var entityTag: EntityTag?
    /// `Cache-Control`.
    var cacheControl: String
    /// `Vary: Accept-Encoding`, on answers that could have been compressed.
    var varyAcceptEncoding = false
    /// `Content-Encoding: gzip`.
    var gzip = false

    /// The parts of a read's entity tag (``StreamETag``).
    struct EntityTag: Sendable {
        var streamID: UInt64
        var start: StreamOffset
        var end: StreamOffset
        var closed: Bool

        /// The tag as a string, for comparing with `If-None-Match`.
        var string: String { StreamETag.make(streamID: streamID, start: start, end: end, closed: closed) }
    }

    /// Appends the fields to `headers`, in the order ``write(into:)`` writes them.
    func add(to headers: inout HTTPHeaders) {
        if let contentType { headers.add(name: "Content-Type", value: contentType) }
        headers.add(name: ProtocolHeader.streamNextOffset, value: nextOffset.description)
        if upToDate { headers.add(name: ProtocolHeader.streamUpToDate, value: "true") }
        if closed { headers.add(name: ProtocolHeader.streamClosed, value: "true") }
        if let cursor { headers.add(name: ProtocolHeader.streamCursor, value: cursor) }
        if let entityTag { headers.add(name: "ETag", value: entityTag.string) }
        headers.add(name: "Cache-Control", value: cacheControl)
        if varyAcceptEncoding { headers.add(name: "Vary", value: "Accept-Encoding") }
        if gzip { headers.add(name: "Content-Encoding", value: "gzip") }
    }

    /// The most bytes ``write(into:)`` writes.
    var maxWrittenBytes: Int {
        256 + (contentType?.utf8.count ?? 0) + (cursor?.utf8.count ?? 0) + cacheControl.utf8.count + StreamETag.maxEncodedLength
    }

    /// Writes the fields as header lines.
    func write(into head: inout HeadBytes) {
        if let contentType { head.appendHeader("Content-Type", contentType) }
        head.appendHeader(ProtocolHeader.streamNextOffset, nextOffset)
        if upToDate { head.appendFlag(ProtocolHeader.streamUpToDate) }
        if closed { head.appendFlag(ProtocolHeader.streamClosed) }
        if let cursor { head.appendHeader(ProtocolHeader.streamCursor, cursor) }
        if let entityTag {
            head.append("ETag: ")
            head.appendEntityTag(streamID: entityTag.streamID, start: entityTag.start, end: entityTag.end, closed: entityTag.closed)
            head.append("\r\n")
        }
        head.appendHeader("Cache-Control", cacheControl)
        if varyAcceptEncoding { head.append("Vary: Accept-Encoding\r\n") }
        if gzip { head.append("Content-Encoding: gzip\r\n") }
    }
}
