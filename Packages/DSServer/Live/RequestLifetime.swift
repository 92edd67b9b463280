import NIOCore
import Synchronization

/// Tells long-lived work (long-poll waits, SSE sessions) that its request is over: the client hung up
/// or the server is shutting down. Callbacks run on the request's event loop, once.
public final class RequestLifetime: Sendable {
    /// Why a request ends early.
    public enum EndReason: Sendable {
        /// The client disconnected.
        case clientGone
        /// The server is stopping; answer now.
        case serverShutdown
        /// The response was sent; nothing is waiting any more.
        case completed
    }

    private let eventLoop: any EventLoop
    private let state = Mutex<State>(State())

    private struct State {
        var ended: EndReason?
        var handlers: [@Sendable (EndReason) -> Void] = []
    }

    /// Creates a lifetime whose callbacks run on `eventLoop`.
    public init(eventLoop: any EventLoop) { self.eventLoop = eventLoop }

    /// Registers `handler`; if the request already ended it runs immediately (on the event loop).
    public func onEnd(_ handler: @escaping @Sendable (EndReason) -> Void) {
        let ended = state.withLock { state -> EndReason? in
            if let reason = state.ended { return reason }
            state.handlers.append(handler)
            return nil
        }
        if let ended { eventLoop.execute { handler(ended) } }
    }

    /// Ends the request; only the first call has an effect.
    public func end(_ reason: EndReason) {
        let handlers = state.withLock { state -> [@Sendable (EndReason) -> Void] in
            guard state.ended == nil else { return [] }
            state.ended = reason
            defer { state.handlers = [] }
            return state.handlers
        }
        guard !handlers.isEmpty else { return }
        if eventLoop.inEventLoop {
            for handler in handlers { handler(reason) }
        } else {
            eventLoop.execute { for handler in handlers { handler(reason) } }
        }
    }

    /// Whether anything registered with ``onEnd(_:)`` and is still waiting for the end.
    public var isObserved: Bool { state.withLock { !$0.handlers.isEmpty } }

    /// Whether the request has ended.
    public var hasEnded: Bool { state.withLock { $0.ended != nil } }
}
