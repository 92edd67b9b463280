import DSProtocol
import DSStore
import NIOCore
import NIOHTTP1

extension StreamRequestHandler {
    /// `POST`: append, append-and-close, or close.
    func append(_ request: StreamRequest, context: RequestContext) -> Answer {
        let appendRequest: AppendRequest
        do {
            appendRequest = try parseAppend(request)
        } catch {
            return .now(errorResponse(for: error))
        }
        if let result = store.appendImmediately(appendRequest) {
            return .now(appendResponse(result, to: appendRequest))
        }
        // One promise completed from one callback (rather than `map` then `flatMapErrorThrowing`, each a promise
        // and a closure).
        let promise = context.eventLoop.makePromise(of: StreamResponse.self)
        store.append(appendRequest, on: context.eventLoop).whenComplete { result in
            promise.succeed(self.appendResponse(result, to: appendRequest))
        }
        return .later(promise.futureResult)
    }

    private func appendResponse<Failure: Error>(_ result: Result<AppendOutcome, Failure>, to request: AppendRequest) -> StreamResponse {
        switch result {
        case .success(let outcome): return appendResponse(outcome, to: request)
        case .failure(let error): return errorResponse(for: error)
        }
    }

    /// `204`, or `200` for new data through an idempotent producer, with the stream's new tail.
    private func appendResponse(_ outcome: AppendOutcome, to request: AppendRequest) -> StreamResponse {
        if let controlAPI = options.controlAPI, outcome.kind == .appended { controlAPI.streamAppended(path: request.path, tail: outcome.tail) }
        let fields = AppendResponseFields(nextOffset: outcome.tail, closed: outcome.closed, producerAck: outcome.producerAck)
        // With a producer, new data is 200 and a retry 204; plain appends and closes are 204.
        let status: HTTPResponseStatus = request.producer != nil && outcome.kind == .appended ? .ok : .noContent
        return StreamResponse(status: status, fields: .append(fields))
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
