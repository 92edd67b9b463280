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
        let controlAPI = options.controlAPI
        let future = store.append(appendRequest, on: context.eventLoop).map { outcome -> StreamResponse in
            if let controlAPI, outcome.kind == .appended { controlAPI.streamAppended(path: appendRequest.path, tail: outcome.tail) }
            var headers = HTTPHeaders()
            headers.add(name: ProtocolHeader.streamNextOffset, value: outcome.tail.description)
            if outcome.closed { headers.add(name: ProtocolHeader.streamClosed, value: "true") }
            if let ack = outcome.producerAck {
                headers.add(name: ProtocolHeader.producerEpoch, value: String(ack.epoch))
                headers.add(name: ProtocolHeader.producerSeq, value: String(ack.seq))
            }
            headers.add(name: "Cache-Control", value: "no-store")
            // With a producer, new data is 200 and a retry 204; plain appends and closes are 204.
            let status: HTTPResponseStatus = appendRequest.producer != nil && outcome.kind == .appended ? .ok : .noContent
            return StreamResponse(status: status, headers: headers)
        }
        return answeringErrors(future)
    }

    private func parseAppend(_ request: StreamRequest) throws -> AppendRequest {
        let headers = request.headers
        let close = StreamClosedFlag.isSet(headers.first(name: ProtocolHeader.streamClosed))
        let hasBody = request.body.readableBytes > 0
        if !hasBody && !close { throw ProtocolError.emptyBody }
        var contentType: StreamContentType?
        if hasBody {
            guard let value = headers.first(name: "Content-Type") else {
                throw ProtocolError.badRequest("Content-Type is required when appending data")
            }
            guard let parsed = StreamContentType(validating: value) else { throw ProtocolError.invalidContentType(value) }
            contentType = parsed
        }
        let producer = try ProducerStamp.parse(
            id: headers.first(name: ProtocolHeader.producerID),
            epoch: headers.first(name: ProtocolHeader.producerEpoch),
            seq: headers.first(name: ProtocolHeader.producerSeq)
        )
        let seq = headers.first(name: ProtocolHeader.streamSeq)
        if let seq, seq.isEmpty { throw ProtocolError.badRequest("Stream-Seq must not be empty") }
        return AppendRequest(
            path: request.streamPath,
            contentType: contentType,
            body: request.body,
            close: close,
            seq: seq,
            producer: producer,
            now: options.clock.now()
        )
    }
}
