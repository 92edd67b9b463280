import Synchronization

/// A value behind a lock, for test doubles that record what they saw from any thread.
public final class TestLockedBox<Value: Sendable>: Sendable {
    private let storage: Mutex<Value>

    /// Creates a box holding `value`.
    public init(_ value: Value) { storage = Mutex(value) }

    /// The current value.
    public var value: Value { storage.withLock { $0 } }

    /// Changes the value under the lock.
    public func mutate(_ change: (inout Value) -> Void) { storage.withLock { change(&$0) } }
}
