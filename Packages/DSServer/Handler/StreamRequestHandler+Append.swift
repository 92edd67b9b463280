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
        // One promise completed from one callback (rather than `map` then `flatMapErrorThrowing`, each a promise
        // and a closure): with the memory store the whole append runs synchronously inside this call.
        let promise = context.eventLoop.makePromise(of: StreamResponse.self)
        store.append(appendRequest, on: context.eventLoop).whenComplete { result in
            switch result {
            case .success(let outcome): promise.succeed(self.appendResponse(outcome, to: appendRequest))
            case .failure(let error): promise.succeed(self.errorResponse(for: error))
            }
        }
        return promise.futureResult
    }

    /// `204`, or `200` for new data through an idempotent producer, with the stream's new tail.
    private func appendResponse(_ outcome: AppendOutcome, to request: AppendRequest) -> StreamResponse {
        if let controlAPI = options.controlAPI, outcome.kind == .appended { controlAPI.streamAppended(path: request.path, tail: outcome.tail) }
        // Built with the common headers already in, so the transport does not copy the headers to add them.
        var headers = HTTPHeaders()
        headers.reserveCapacity(8)
        addCommonHeaders(to: &headers)
        headers.add(name: ProtocolHeader.streamNextOffset, value: outcome.tail.description)
        if outcome.closed { headers.add(name: ProtocolHeader.streamClosed, value: "true") }
        if let ack = outcome.producerAck {
            headers.add(name: ProtocolHeader.producerEpoch, value: String(ack.epoch))
            headers.add(name: ProtocolHeader.producerSeq, value: String(ack.seq))
        }
        headers.add(name: "Cache-Control", value: "no-store")
        // With a producer, new data is 200 and a retry 204; plain appends and closes are 204.
        let status: HTTPResponseStatus = request.producer != nil && outcome.kind == .appended ? .ok : .noContent
        var response = StreamResponse(status: status, headers: headers)
        response.includesCommonHeaders = true
        return response
    }

    private func parseAppend(_ request: StreamRequest) throws -> AppendRequest {
        let headers = AppendHeaders(request.headers)
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
            now: options.clock.now()
        )
    }
}
