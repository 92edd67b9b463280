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
    ) -> EventLoopFuture<StreamResponse> {
        store.read(readRequest, on: context.eventLoop).flatMap { first in
            if let immediate = self.longPollAnswer(first, request: request, clientCursor: clientCursor, sentinelTail: false) {
                return context.eventLoop.makeSucceededFuture(immediate)
            }
            return self.waitThenAnswer(after: first.next, request: request, clientCursor: clientCursor, context: context)
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

        return wake.futureResult.flatMap { reason in
            // Release the waiter and timer whatever woke us; completing an already completed promise is a no-op.
            wait.cancel()
            timer.value.cancel()
            storePromise.succeed(.dataAvailable)
            switch reason {
            case .changed(.deleted):
                // Ask the store why: a soft-deleted stream (forks still use it) answers 410, a removed one 404.
                return self.store.metadata(path: request.streamPath, now: self.options.clock.now(), on: eventLoop).map { _ in
                    self.errorResponse(.notFound, "stream was deleted")
                }
            case .changed:
                let again = ReadRequest(path: request.streamPath, start: .offset(offset), maxBytes: self.options.readChunkBytes, now: self.options.clock.now())
                return self.store.read(again, on: eventLoop).map { outcome in
                    self.longPollAnswer(outcome, request: request, clientCursor: clientCursor, sentinelTail: false)
                        ?? self.noContent(tail: outcome.next, closed: false, clientCursor: clientCursor)
                }
            case .timedOut, .clientGone:
                return self.store.metadata(path: request.streamPath, now: self.options.clock.now(), on: eventLoop).map { info in
                    self.noContent(tail: offset, closed: info.closed && info.tail == offset, clientCursor: clientCursor)
                }
            }
        }
    }
}

/// Why a waiting long-poll woke up.
enum LongPollWake: Sendable {
    case changed(StreamChange)
    case timedOut
    case clientGone
}
