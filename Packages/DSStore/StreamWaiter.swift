import NIOCore

/// Something waiting at the tail of a stream, told once when the stream changes (see
/// ``StreamStore/waitForChange(path:after:waiter:)``).
///
/// A live reader is its own waiter, so waiting costs no promise, future or callback closure: a fan-out to
/// 1,000 readers made and completed 1,000 of each per append.
public protocol StreamWaiter: AnyObject, Sendable {
    /// The event loop ``streamChanged(_:)`` runs on.
    var eventLoop: any EventLoop { get }

    /// The stream changed; called once, on ``eventLoop`` (or on the registering thread, before
    /// `waitForChange` returns, when the change had already happened).
    func streamChanged(_ change: StreamChange)
}

/// A waiter that completes a promise, for callers of the promise-based ``StreamStore/waitForChange(path:after:promise:)``.
package final class PromiseWaiter: StreamWaiter {
    private let promise: EventLoopPromise<StreamChange>

    package init(_ promise: EventLoopPromise<StreamChange>) { self.promise = promise }

    package var eventLoop: any EventLoop { promise.futureResult.eventLoop }

    package func streamChanged(_ change: StreamChange) { promise.succeed(change) }
}
