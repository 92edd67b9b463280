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
        waiters = [:]
        return taken
    }

    /// Number of registered waiters.
    package var count: Int { waiters.count }
}

extension Array where Element == EventLoopPromise<StreamChange> {
    /// Fires every promise with `change`.
    package func fire(_ change: StreamChange) {
        for promise in self { promise.succeed(change) }
    }
}

/// The result of trying to register a waiter under a stream's lock.
package enum WaitRegistration: Sendable {
    /// The condition already holds; complete the promise with this change.
    case alreadyChanged(StreamChange)
    /// The waiter was added with this id.
    case registered(UInt64)
}
