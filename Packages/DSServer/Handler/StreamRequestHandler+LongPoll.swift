import DSCursor
import DSProtocol
import DSStore
import NIOCore
import NIOHTTP1

extension StreamRequestHandler {
    /// `GET ?live=long-poll`: answer at once when data exists or the stream is closed at the offset,
    /// otherwise wait for the stream's own next change, the timeout, the client hanging up, or shutdown.
    func longPoll(
        _ readRequest: ReadRequest,
        request: StreamRequest,
        clientCursor: String?,
        context: RequestContext
    ) -> Answer {
        answerRead(readRequest, context: context) { first in
            if let immediate = self.longPollAnswer(first, request: request, clientCursor: clientCursor, sentinelTail: false) {
                return .now(immediate)
            }
            return .later(self.waitThenAnswer(after: first.next, request: request, clientCursor: clientCursor, context: context))
        }
    }

    /// The answer for a read outcome, or `nil` when the reader has to wait.
    private func longPollAnswer(_ outcome: ReadOutcome, request: StreamRequest, clientCursor: String?, sentinelTail: Bool) -> StreamResponse? {
        if outcome.next > outcome.start {
            let cursor = generateResponseCursor(clientCursor: clientCursor, options: options.cursorOptions)
            return dataResponse(outcome, request: request, sentinelTail: sentinelTail, liveCursor: cursor)
        }
        if outcome.info.closed && outcome.isUpToDate {
            return noContent(tail: outcome.next, closed: true, clientCursor: clientCursor)
        }
        return nil
    }

    /// `204`: up to date at `tail`, with a cursor while the stream is open.
    private func noContent(tail: StreamOffset, closed: Bool, clientCursor: String?) -> StreamResponse {
        var headers = HTTPHeaders()
        headers.reserveCapacity(4)
        headers.add(name: ProtocolHeader.streamNextOffset, value: tail.description)
        headers.add(name: ProtocolHeader.streamUpToDate, value: "true")
        if closed {
            headers.add(name: ProtocolHeader.streamClosed, value: "true")
        } else {
            headers.add(name: ProtocolHeader.streamCursor, value: generateResponseCursor(clientCursor: clientCursor, options: options.cursorOptions))
        }
        headers.add(name: "Cache-Control", value: "no-store")
        return StreamResponse(status: .noContent, headers: headers)
    }

    private func waitThenAnswer(
        after offset: StreamOffset,
        request: StreamRequest,
        clientCursor: String?,
        context: RequestContext
    ) -> EventLoopFuture<StreamResponse> {
        let eventLoop = context.eventLoop
        let wake = eventLoop.makePromise(of: LongPollWake.self)
        let storePromise = eventLoop.makePromise(of: StreamChange.self)
        storePromise.futureResult.whenSuccess { wake.succeed(.changed($0)) }
        let wait = store.waitForChange(path: request.streamPath, after: offset, promise: storePromise)
        let timer = NIOLoopBound(longPollTimeouts.add(on: eventLoop) { wake.succeed(.timedOut) }, eventLoop: eventLoop)
        liveRequests.track(context.lifetime)
        context.lifetime.onEnd { reason in
            switch reason {
            case .clientGone: wake.succeed(.clientGone)
            case .serverShutdown, .completed: wake.succeed(.timedOut)
            }
        }

        let answer = eventLoop.makePromise(of: StreamResponse.self)
        wake.futureResult.whenSuccess { reason in
            // Release the waiter and timer whatever woke us; completing an already completed promise is a no-op.
            wait.cancel()
            timer.value.cancel()
            storePromise.succeed(.dataAvailable)
            switch reason {
            case .changed(.deleted):
                // Ask the store why: a soft-deleted stream (forks still use it) answers 410, a removed one 404.
                self.store.metadata(path: request.streamPath, now: self.options.clock.now(), on: eventLoop).whenComplete { result in
                    switch result {
                    case .success: answer.succeed(self.errorResponse(.notFound, "stream was deleted"))
                    case .failure(let error): answer.succeed(self.errorResponse(for: error))
                    }
                }
            case .changed:
                // Read on a later turn of the loop, not inside the append that woke us: a busy server then takes in
                // every append already queued on the writer's connection first, and the answer carries them all.
                eventLoop.execute {
                    let again = ReadRequest(path: request.streamPath, start: .offset(offset), maxBytes: self.options.readChunkBytes, now: self.options.clock.now())
                    self.answerRead(again, context: context) { outcome in
                        .now(
                            self.longPollAnswer(outcome, request: request, clientCursor: clientCursor, sentinelTail: false)
                                ?? self.noContent(tail: outcome.next, closed: false, clientCursor: clientCursor)
                        )
                    }.complete(answer)
                }
            case .timedOut, .clientGone:
                self.store.metadata(path: request.streamPath, now: self.options.clock.now(), on: eventLoop).whenComplete { result in
                    switch result {
                    case .success(let info):
                        answer.succeed(self.noContent(tail: offset, closed: info.closed && info.tail == offset, clientCursor: clientCursor))
                    case .failure(let error): answer.succeed(self.errorResponse(for: error))
                    }
                }
            }
        }
        return answer.futureResult
    }
}

/// Why a waiting long-poll woke up.
enum LongPollWake: Sendable {
    case changed(StreamChange)
    case timedOut
    case clientGone
}
