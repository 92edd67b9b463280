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
        var headers = HTTPHeaders()
        headers.reserveCapacity(8)  // every field below and Vary: one allocation, not one per doubling
        headers.add(name: "Content-Type", value: info.contentType.value)
        headers.add(name: ProtocolHeader.streamNextOffset, value: outcome.next.description)
        if upToDate { headers.add(name: ProtocolHeader.streamUpToDate, value: "true") }
        if closedAtEnd { headers.add(name: ProtocolHeader.streamClosed, value: "true") }
        if let liveCursor, !closedAtEnd { headers.add(name: ProtocolHeader.streamCursor, value: liveCursor) }
        if sentinelTail {
            headers.add(name: "Cache-Control", value: "no-store")
        } else {
            let etag = StreamETag.make(streamID: info.id, start: outcome.start, end: outcome.next, closed: closedAtEnd)
            headers.add(name: "ETag", value: etag)
            headers.add(name: "Cache-Control", value: cacheControl(for: outcome))
            if let ifNoneMatch = request.headers.first(name: "If-None-Match"), StreamETag.ifNoneMatch(ifNoneMatch, matches: etag) {
                headers.remove(name: "Content-Type")
                return StreamResponse(status: .notModified, headers: headers)
            }
        }
        var body = outcome.chunks
        if info.contentType.isJSON { body = Self.jsonArray(body) }
        return compressIfAccepted(StreamResponse(status: .ok, headers: headers, body: .buffers(body)), request: request)
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

    /// gzip when the client accepts it and the body is worth it.
    func compressIfAccepted(_ response: StreamResponse, request: StreamRequest) -> StreamResponse {
        guard let gzip, let compression = options.compression, case .buffers(let buffers) = response.body else { return response }
        var response = response
        response.headers.add(name: "Vary", value: "Accept-Encoding")
        guard response.contentLength >= compression.minimumBytes,
            let accept = request.headers.first(name: "Accept-Encoding"), acceptsGzip(accept)
        else { return response }
        response.body = .buffers([gzip.compress(buffers, allocator: ByteBufferAllocator())])
        response.headers.add(name: "Content-Encoding", value: "gzip")
        return response
    }
}
