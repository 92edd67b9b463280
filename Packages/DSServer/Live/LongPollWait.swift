import DSProtocol
import DSStore
import NIOCore

/// One long-poll waiting at the tail of its stream. Whichever comes first of the stream's change, the timeout,
/// the client hanging up or shutdown answers it, once.
///
/// One object holds everything the wait needs, so waiting costs a deadline entry and this object, which is
/// also the store's waiter: no promise per wake-up reason or for the store, no closure capturing the request
/// per stage, and no future for the answer, which goes straight to the one consumer the transport registers
/// (a fan-out to 1,000 readers allocates and frees these 1,000 times per append).
///
/// It is confined to its request's event loop: the store tells it of a change there, timeouts fire there,
/// and ``RequestLifetime`` runs its callbacks there. That is what makes the unchecked `Sendable` sound.
final class LongPollWait: WokenReader, StreamWaiter, @unchecked Sendable {
    private let handler: StreamRequestHandler
    private let request: StreamRequest
    private let offset: StreamOffset
    private let clientCursor: String?
    private let context: RequestContext
    /// The answer until the consumer asks for it, or the consumer until the answer is ready.
    private var answer: StreamResponse?
    private var consumer: ((StreamResponse) -> Void)?
    private var storeWait: StreamWait?
    private var deadline: LongPollDeadline?
    private var trackingID: UInt64?
    private var woken = false

    init(handler: StreamRequestHandler, request: StreamRequest, offset: StreamOffset, clientCursor: String?, context: RequestContext) {
        self.handler = handler
        self.request = request
        self.offset = offset
        self.clientCursor = clientCursor
        self.context = context
    }

    /// Registers the wait with the store, the loop's timeouts, the live-request tracker and the request's
    /// lifetime. The answer goes to ``whenAnswered(_:)``.
    func start() {
        let storeWait = handler.store.waitForChange(path: request.streamPath, after: offset, waiter: self)
        if woken { return }  // the stream had already changed
        self.storeWait = storeWait
        deadline = handler.longPollTimeouts.add(on: eventLoop) { self.wake(.timedOut) }
        trackingID = handler.liveRequests.register(context.lifetime)
        context.lifetime.onEnd { reason in
            switch reason {
            case .clientGone: self.wake(.clientGone)
            case .serverShutdown, .completed: self.wake(.timedOut)
            }
        }
    }

    var eventLoop: any EventLoop { context.eventLoop }

    /// The store's word that the stream changed (on this wait's loop).
    func streamChanged(_ change: StreamChange) { wake(.changed(change)) }

    /// Hands the answer to `consumer` once it is ready (at once if it is); one consumer per wait. Call on the loop.
    func whenAnswered(_ consumer: @escaping (StreamResponse) -> Void) {
        if let answer {
            self.answer = nil
            consumer(answer)
        } else {
            self.consumer = consumer
        }
    }

    private func finish(with response: StreamResponse) {
        if let consumer {
            self.consumer = nil
            consumer(response)
        } else {
            answer = response
        }
    }

    /// Answers for the first reason to arrive; later ones find the wait already woken.
    private func wake(_ reason: LongPollWake) {
        guard !woken else { return }
        woken = true
        switch reason {
        case .changed(.deleted):
            stopTracking()
            storeWait = nil
            // Ask the store why: a soft-deleted stream (forks still use it) answers 410, a removed one 404.
            answerFromMetadata { _ in self.handler.errorResponse(.notFound, "stream was deleted") }
        case .changed:
            // The store dropped the waiter when it fired. Read on a later turn of the loop (see WokenReaders);
            // the deadline and the tracking entry are dropped after that batch has answered its readers (one
            // fewer lock and queue update per reader before the fan-out's first answer).
            storeWait = nil
            WokenReaders.readLater(self, on: context.eventLoop)
        case .timedOut, .clientGone:
            stopTracking()
            // Take the waiter back from the store (if it fires meanwhile, this wait is already woken).
            storeWait?.cancel()
            storeWait = nil
            let offset = self.offset
            answerFromMetadata { info in
                self.handler.noContent(tail: offset, closed: info.closed && info.tail == offset, clientCursor: self.clientCursor)
            }
        }
    }

    /// Drops the timeout and the live-request tracking entry, once the wait has ended.
    private func stopTracking() {
        deadline?.cancel()
        deadline = nil
        if let trackingID { handler.liveRequests.unregister(trackingID) }
        trackingID = nil
    }

    /// Reads what arrived past the offset and answers with it (or `204` if it is already gone again).
    func readAfterWake() {
        if !WokenReaders.finishAfterBatch(self, on: context.eventLoop) { stopTracking() }
        let again = ReadRequest(
            path: request.streamPath, start: .offset(offset), maxBytes: handler.options.readChunkBytes, now: handler.options.clock.now()
        )
        if let result = WokenReaders.readImmediately(again, from: handler.store) {
            finish(with: response(for: result))
        } else {
            handler.store.read(again, on: context.eventLoop).whenComplete { result in self.finish(with: self.response(for: result)) }
        }
    }

    private func response(for result: Result<ReadOutcome, some Error>) -> StreamResponse {
        switch result {
        case .success(let outcome):
            return handler.longPollAnswer(outcome, request: request, clientCursor: clientCursor)
                ?? handler.noContent(tail: outcome.next, closed: false, clientCursor: clientCursor)
        case .failure(let error):
            return handler.errorResponse(for: error)
        }
    }

    /// Answers from the stream's metadata, or with the store's error.
    private func answerFromMetadata(_ respond: @escaping @Sendable (StreamInfo) -> StreamResponse) {
        handler.store.metadata(path: request.streamPath, now: handler.options.clock.now(), on: context.eventLoop).whenComplete { result in
            switch result {
            case .success(let info): self.finish(with: respond(info))
            case .failure(let error): self.finish(with: self.handler.errorResponse(for: error))
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

extension LongPollWait: BatchFinishable {
    func finishAfterBatch() { stopTracking() }
}
