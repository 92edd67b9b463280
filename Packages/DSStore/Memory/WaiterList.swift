import DSProtocol
import NIOCore

/// The one-shot live waiters of one stream (long-polls and SSE readers waiting at the tail).
///
/// Kept inside the stream's lock; the store tells the taken waiters after unlocking.
package struct WaiterList: ~Copyable {
    private var waiters: [UInt64: any StreamWaiter] = [:]
    private var nextID: UInt64 = 0

    package init() {}

    /// Adds a waiter, returning the id that removes it.
    package mutating func add(_ waiter: any StreamWaiter) -> UInt64 {
        nextID &+= 1
        waiters[nextID] = waiter
        return nextID
    }

    /// Removes a waiter; `nil` if it already fired.
    package mutating func remove(_ id: UInt64) -> (any StreamWaiter)? {
        waiters.removeValue(forKey: id)
    }

    /// Takes every waiter, leaving the list empty.
    package mutating func takeAll() -> [any StreamWaiter] {
        guard !waiters.isEmpty else { return [] }
        let taken = Array(waiters.values)
        // Kept: readers woken by a fan-out register again at once, and regrowing from empty rehashes them all.
        waiters.removeAll(keepingCapacity: true)
        return taken
    }

    /// Number of registered waiters.
    package var count: Int { waiters.count }

    /// Registers `waiter` unless the stream already changed for a reader at `offset`: it is removed,
    /// has data past `offset`, or is closed. Call under the stream's lock, which makes the check and the
    /// registration one step, so no wake-up is lost.
    package mutating func register(
        _ waiter: any StreamWaiter,
        after offset: StreamOffset,
        tail: UInt64,
        closed: Bool,
        removed: Bool
    ) -> WaitRegistration {
        if removed { return .alreadyChanged(.deleted) }
        if tail > offset.position { return .alreadyChanged(.dataAvailable) }
        if closed { return .alreadyChanged(.closed) }
        return .registered(add(waiter))
    }
}

extension Array where Element == any StreamWaiter {
    /// Tells every waiter of `change`: the others with one task per event loop rather than one per waiter (a
    /// fan-out to 1,000 readers on two loops hands two tasks across threads, not 1,000), then those of the
    /// calling thread's event loop at once. Each task picks its loop's waiters out of this one array, so a
    /// fan-out allocates no list per loop.
    package func fire(_ change: StreamChange) {
        guard count > 1 else {
            for waiter in self { Self.tell(waiter, change) }
            return
        }
        // The other loops are handed their tasks first, so they start on their readers while this thread
        // tells its own (on a fan-out, that is hundreds of readers).
        var elsewhere: [any EventLoop] = []
        var hasLocal = false
        for waiter in self {
            let loop = waiter.eventLoop
            if loop.inEventLoop {
                hasLocal = true
            } else if !elsewhere.contains(where: { $0 === loop }) {
                elsewhere.append(loop)
            }
        }
        for loop in elsewhere {
            loop.execute {
                for waiter in self where waiter.eventLoop === loop { waiter.streamChanged(change) }
            }
        }
        guard hasLocal else { return }
        for waiter in self where waiter.eventLoop.inEventLoop { waiter.streamChanged(change) }
    }

    /// Tells one waiter on its own loop.
    private static func tell(_ waiter: any StreamWaiter, _ change: StreamChange) {
        let loop = waiter.eventLoop
        if loop.inEventLoop {
            waiter.streamChanged(change)
        } else {
            loop.execute { waiter.streamChanged(change) }
        }
    }
}

/// The result of trying to register a waiter under a stream's lock.
package enum WaitRegistration: Sendable {
    /// The condition already holds; tell the waiter this change.
    case alreadyChanged(StreamChange)
    /// The waiter was added with this id.
    case registered(UInt64)

    /// The ``StreamWait`` to hand back (after unlocking): tells `waiter` now when the change already
    /// happened, otherwise cancels by calling `remove` with the waiter's id.
    package func wait(
        notifying waiter: any StreamWaiter,
        remove: @escaping @Sendable (UInt64) -> Void
    ) -> StreamWait {
        switch self {
        case .alreadyChanged(let change):
            waiter.streamChanged(change)
            return StreamWait(cancel: nil)
        case .registered(let id):
            return StreamWait { remove(id) }
        }
    }
}
