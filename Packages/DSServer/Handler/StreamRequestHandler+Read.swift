import DSCursor
import DSProtocol
import DSStore
import NIOCore
import NIOHTTP1

extension StreamRequestHandler {
    /// `GET`: catch-up, long-poll or SSE.
    func read(_ request: StreamRequest, context: RequestContext) -> Answer {
        let offsetValue = request.query[QueryParameter.offset]
        guard let start = ReadStart(queryValue: offsetValue) else {
            return .now(errorResponse(for: ProtocolError.malformedOffset(offsetValue ?? "")))
        }
        var live: LiveMode?
        if let liveValue = request.query[QueryParameter.live] {
            guard let mode = LiveMode(rawValue: liveValue) else {
                return .now(errorResponse(for: ProtocolError.invalidLiveMode("live must be long-poll or sse")))
            }
            guard offsetValue != nil else {
                return .now(errorResponse(for: ProtocolError.invalidLiveMode("live reads require an offset")))
            }
            live = mode
        }
        let readRequest = ReadRequest(path: request.streamPath, start: start, maxBytes: options.readChunkBytes, now: options.clock.now())
        let cursor = request.query[QueryParameter.cursor]
        switch live {
        case nil:
            return answerRead(readRequest, context: context) { outcome in
                .now(self.dataResponse(outcome, request: request, sentinelTail: start == .tail, liveCursor: nil))
            }
        case .longPoll:
            return longPoll(readRequest, request: request, clientCursor: cursor, context: context)
        case .sse:
            return answerRead(readRequest, context: context) { first in
                .now(self.startEventStream(first, request: readRequest, clientCursor: cursor, context: context))
            }
        }
    }

    /// A `200` with data (or an empty body at the tail) and the protocol headers of PROTOCOL.md §5.6 and §10.
    func dataResponse(_ outcome: ReadOutcome, request: StreamRequest, sentinelTail: Bool, liveCursor: String?) -> StreamResponse {
        let info = outcome.info
        let upToDate = outcome.isUpToDate
        let closedAtEnd = info.closed && upToDate
        var fields = ReadResponseFields(
            contentType: info.contentType.value,
            nextOffset: outcome.next,
            upToDate: upToDate,
            closed: closedAtEnd,
            cursor: closedAtEnd ? nil : liveCursor,
            entityTag: nil,
            cacheControl: "no-store"
        )
        if !sentinelTail {
            let entityTag = ReadResponseFields.EntityTag(streamID: info.id, start: outcome.start, end: outcome.next, closed: closedAtEnd)
            fields.entityTag = entityTag
            fields.cacheControl = cacheControl(for: outcome)
            if let ifNoneMatch = request.headers.first(name: "If-None-Match"), StreamETag.ifNoneMatch(ifNoneMatch, matches: entityTag.string) {
                fields.contentType = nil
                return StreamResponse(status: .notModified, fields: .read(fields))
            }
        }
        var body = outcome.chunks
        if info.contentType.isJSON { body = Self.jsonArray(body) }
        return compressIfAccepted(fields, body: body, request: request)
    }

    /// Wraps stored JSON messages (each followed by `,`) as one JSON array.
    static func jsonArray(_ chunks: [ByteBuffer]) -> [ByteBuffer] {
        var result: [ByteBuffer] = []
        result.reserveCapacity(chunks.count + 2)
        result.append(ByteBuffer(string: "["))
        for (index, var chunk) in chunks.enumerated() {
            if index == chunks.count - 1 { chunk.moveWriterIndex(to: chunk.writerIndex - 1) }  // drop the last separator
            if chunk.readableBytes > 0 { result.append(chunk) }
        }
        result.append(ByteBuffer(string: "]"))
        return result
    }

    /// Catch-up data is cacheable by CDNs; an empty answer at the tail of an open stream must be revalidated,
    /// or a cached "nothing yet" would hide new data and closure. Never longer than the stream lives.
    private func cacheControl(for outcome: ReadOutcome) -> String {
        if outcome.next == outcome.start && !outcome.info.closed { return "no-cache" }
        var maxAge = Self.defaultMaxAge
        if let expiresAt = outcome.info.expiresAt {
            let remaining = (expiresAt.milliseconds - options.clock.now().milliseconds) / 1000
            maxAge = Int(max(0, min(Int64(maxAge), remaining)))
        }
        if maxAge == Self.defaultMaxAge { return options.publicCaching ? Self.publicDefault : Self.privateDefault }
        let scope = options.publicCaching ? "public" : "private"
        return "\(scope), max-age=\(maxAge), stale-while-revalidate=300"
    }

    /// The usual `Cache-Control` values, made once rather than per response.
    private static let defaultMaxAge = 60
    private static let publicDefault = "public, max-age=60, stale-while-revalidate=300"
    private static let privateDefault = "private, max-age=60, stale-while-revalidate=300"

    /// The `200`, with its body gzipped when the client accepts it and the body is worth it.
    private func compressIfAccepted(_ fields: ReadResponseFields, body: [ByteBuffer], request: StreamRequest) -> StreamResponse {
        guard let gzip, let compression = options.compression else {
            return StreamResponse(status: .ok, fields: .read(fields), body: .buffers(body))
        }
        var fields = fields
        fields.varyAcceptEncoding = true
        let length = body.reduce(0) { $0 + $1.readableBytes }
        guard length >= compression.minimumBytes,
            let accept = request.headers.first(name: "Accept-Encoding"), acceptsGzip(accept)
        else { return StreamResponse(status: .ok, fields: .read(fields), body: .buffers(body)) }
        fields.gzip = true
        return StreamResponse(status: .ok, fields: .read(fields), body: .buffers([gzip.compress(body, allocator: ByteBufferAllocator())]))
    }
}
