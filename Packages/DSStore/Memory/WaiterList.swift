import DSProtocol
import NIOCore

/// The one-shot live waiters of one stream (long-polls and SSE readers waiting at the tail).
///
/// Kept inside the stream's lock; the store completes the taken promises after unlocking.
package struct WaiterList: ~Copyable {
    private var waiters: [UInt64: EventLoopPromise<StreamChange>] = [:]
    private var nextID: UInt64 = 0

    package init() {}

    /// Adds a waiter, returning the id that removes it.
    package mutating func add(_ promise: EventLoopPromise<StreamChange>) -> UInt64 {
        nextID &+= 1
        waiters[nextID] = promise
        return nextID
    }

    /// Removes a waiter; `nil` if it already fired.
    package mutating func remove(_ id: UInt64) -> EventLoopPromise<StreamChange>? {
        waiters.removeValue(forKey: id)
    }

    /// Takes every waiter, leaving the list empty.
    package mutating func takeAll() -> [EventLoopPromise<StreamChange>] {
        guard !waiters.isEmpty else { return [] }
        let taken = Array(waiters.values)
        // Kept: readers woken by a fan-out register again at once, and regrowing from empty rehashes them all.
        waiters.removeAll(keepingCapacity: true)
        return taken
    }

    /// Number of registered waiters.
    package var count: Int { waiters.count }

    /// Registers `promise` unless the stream already changed for a reader at `offset`: it is removed,
    /// has data past `offset`, or is closed. Call under the stream's lock, which makes the check and the
    /// registration one step, so no wake-up is lost.
    package mutating func register(
        _ promise: EventLoopPromise<StreamChange>,
        after offset: StreamOffset,
        tail: UInt64,
        closed: Bool,
        removed: Bool
    ) -> WaitRegistration {
        if removed { return .alreadyChanged(.deleted) }
        if tail > offset.position { return .alreadyChanged(.dataAvailable) }
        if closed { return .alreadyChanged(.closed) }
        return .registered(add(promise))
    }
}

extension Array where Element == EventLoopPromise<StreamChange> {
    /// Fires every promise with `change`: those of the calling thread's event loop at once, the others with
    /// one task per event loop rather than one per promise (a fan-out to 1,000 readers on two loops hands two
    /// tasks across threads, not 1,000). Each task picks its loop's promises out of this one array, so a
    /// fan-out allocates no list per loop.
    package func fire(_ change: StreamChange) {
        guard count > 1 else {
            for promise in self { promise.succeed(change) }
            return
        }
        var elsewhere: [any EventLoop] = []
        for promise in self {
            let loop = promise.futureResult.eventLoop
            if loop.inEventLoop {
                promise.succeed(change)
            } else if !elsewhere.contains(where: { $0 === loop }) {
                elsewhere.append(loop)
            }
        }
        for loop in elsewhere {
            loop.execute {
                for promise in self where promise.futureResult.eventLoop === loop { promise.succeed(change) }
            }
        }
    }
}

/// The result of trying to register a waiter under a stream's lock.
package enum WaitRegistration: Sendable {
    /// The condition already holds; complete the promise with this change.
    case alreadyChanged(StreamChange)
    /// The waiter was added with this id.
    case registered(UInt64)

    /// The ``StreamWait`` to hand back (after unlocking): completes `promise` now when the change already
    /// happened, otherwise cancels by calling `remove` with the waiter's id.
    package func wait(
        completing promise: EventLoopPromise<StreamChange>,
        remove: @escaping @Sendable (UInt64) -> Void
    ) -> StreamWait {
        switch self {
        case .alreadyChanged(let change):
            promise.succeed(change)
            return StreamWait(cancel: nil)
        case .registered(let id):
            return StreamWait { remove(id) }
        }
    }
}
