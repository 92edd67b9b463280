import DSProtocol
import DSStore
import NIOCore
import NIOHTTP1

extension StreamRequestHandler {
    /// `POST`: append, append-and-close, or close.
    func append(_ request: StreamRequest, context: RequestContext) -> EventLoopFuture<StreamResponse> {
        let appendRequest: AppendRequest
        do {
            appendRequest = try parseAppend(request)
        } catch {
            return context.eventLoop.makeSucceededFuture(errorResponse(for: error))
        }
        // One promise and one callback instead of map + flatMapErrorThrowing: the append profile showed the
        // future chain among the per-request allocations.
        let answer = context.eventLoop.makePromise(of: StreamResponse.self)
        let hasProducer = appendRequest.producer != nil
        store.append(appendRequest, on: context.eventLoop).whenComplete { result in
            switch result {
            case .success(let outcome): answer.succeed(self.appendResponse(outcome, hasProducer: hasProducer))
            case .failure(let error): answer.succeed(self.errorResponse(for: error))
            }
        }
        return answer.futureResult
    }

    private func appendResponse(_ outcome: AppendOutcome, hasProducer: Bool) -> StreamResponse {
        var headers = HTTPHeaders()
        headers.reserveCapacity(8)
        headers.add(name: ProtocolHeader.streamNextOffset, value: outcome.tail.description)
        if outcome.closed { headers.add(name: ProtocolHeader.streamClosed, value: "true") }
        if let ack = outcome.producerAck {
            headers.add(name: ProtocolHeader.producerEpoch, value: String(ack.epoch))
            headers.add(name: ProtocolHeader.producerSeq, value: String(ack.seq))
        }
        headers.add(name: "Cache-Control", value: "no-store")
        addCommonHeaders(to: &headers)
        // With a producer, new data is 200 and a retry 204; plain appends and closes are 204.
        let status: HTTPResponseStatus = hasProducer && outcome.kind == .appended ? .ok : .noContent
        var response = StreamResponse(status: status, headers: headers)
        response.includesCommonHeaders = true
        return response
    }

    private func parseAppend(_ request: StreamRequest) throws -> AppendRequest {
        let headers = AppendHeaderValues(request.headers)
        let close = StreamClosedFlag.isSet(headers.streamClosed)
        let hasBody = request.body.readableBytes > 0
        if !hasBody && !close { throw ProtocolError.emptyBody }
        var contentType: StreamContentType?
        if hasBody {
            guard let value = headers.contentType else {
                throw ProtocolError.badRequest("Content-Type is required when appending data")
            }
            guard let parsed = StreamContentType(validating: value) else { throw ProtocolError.invalidContentType(value) }
            contentType = parsed
        }
        let producer = try ProducerStamp.parse(id: headers.producerID, epoch: headers.producerEpoch, seq: headers.producerSeq)
        let seq = headers.streamSeq
        if let seq, seq.isEmpty { throw ProtocolError.badRequest("Stream-Seq must not be empty") }
        return AppendRequest(
            path: request.streamPath,
            contentType: contentType,
            body: request.body,
            close: close,
            seq: seq,
            producer: producer,
            now: .now()
        )
    }
}

/// The request headers an append reads, found in one pass (six `HTTPHeaders.first(name:)` scans showed in the
/// append profile). Like `first(name:)`, the first occurrence of each name wins and names ignore ASCII case.
private struct AppendHeaderValues {
    var contentType: String?
    var streamClosed: String?
    var producerID: String?
    var producerEpoch: String?
    var producerSeq: String?
    var streamSeq: String?

    init(_ headers: HTTPHeaders) {
        for (name, value) in headers {
            switch name.utf8.count {
            case 10:
                if streamSeq == nil, Self.matches(name, ProtocolHeader.streamSeq) { streamSeq = value }
            case 11:
                if producerID == nil, Self.matches(name, ProtocolHeader.producerID) { producerID = value }
            case 12:
                if contentType == nil, Self.matches(name, "content-type") {
                    contentType = value
                } else if producerSeq == nil, Self.matches(name, ProtocolHeader.producerSeq) {
                    producerSeq = value
                }
            case 13:
                if streamClosed == nil, Self.matches(name, ProtocolHeader.streamClosed) { streamClosed = value }
            case 14:
                if producerEpoch == nil, Self.matches(name, ProtocolHeader.producerEpoch) { producerEpoch = value }
            default:
                break
            }
        }
    }

    /// ASCII case-insensitive equality.
    private static func matches(_ name: String, _ expected: String) -> Bool {
        name.utf8.elementsEqual(expected.utf8) { lhs, rhs in
            (lhs >= 0x41 && lhs <= 0x5A ? lhs | 0x20 : lhs) == (rhs >= 0x41 && rhs <= 0x5A ? rhs | 0x20 : rhs)
        }
    }
}
