#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
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
        // A read the store answers at once needs no closure for the outcome.
        if let result = store.readImmediately(readRequest) {
            switch result {
            case .success(let first): return answerOrWait(first, request: request, clientCursor: clientCursor, context: context)
            case .failure(let error): return .now(errorResponse(for: error))
            }
        }
        return answerReadLater(readRequest, context: context) { first in
            self.answerOrWait(first, request: request, clientCursor: clientCursor, context: context)
        }
    }

    private func answerOrWait(_ first: ReadOutcome, request: StreamRequest, clientCursor: String?, context: RequestContext) -> Answer {
        if let immediate = longPollAnswer(first, request: request, clientCursor: clientCursor) { return .now(immediate) }
        let wait = LongPollWait(handler: self, request: request, offset: first.next, clientCursor: clientCursor, context: context)
        wait.start()
        return .waiting(wait)
    }

    /// The answer for a read outcome, or `nil` when the reader has to wait.
    func longPollAnswer(_ outcome: ReadOutcome, request: StreamRequest, clientCursor: String?) -> StreamResponse? {
        if outcome.next > outcome.start {
            let cursor = responseCursor(clientCursor: clientCursor)
            return dataResponse(outcome, request: request, sentinelTail: false, liveCursor: cursor)
        }
        if outcome.info.closed && outcome.isUpToDate {
            return noContent(tail: outcome.next, closed: true, clientCursor: clientCursor)
        }
        return nil
    }

    /// `204`: up to date at `tail`, with a cursor while the stream is open.
    func noContent(tail: StreamOffset, closed: Bool, clientCursor: String?) -> StreamResponse {
        let fields = ReadResponseFields(
            contentType: nil,
            nextOffset: tail,
            upToDate: true,
            closed: closed,
            cursor: closed ? nil : responseCursor(clientCursor: clientCursor),
            entityTag: nil,
            cacheControl: "no-store"
        )
        return StreamResponse(status: .noContent, fields: .read(fields))
    }

    /// The `Stream-Cursor` of a live answer to a client that sent `clientCursor` (PROTOCOL.md §10.1).
    func responseCursor(clientCursor: String?, now: Date = Date()) -> String {
        var random = JitterRandomNumberGenerator()
        return generateResponseCursor(clientCursor: clientCursor, options: options.cursorOptions, now: now, using: &random)
    }
}
