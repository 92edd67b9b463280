import DSStore
import Synchronization

/// A wall clock that only moves when a test advances it, so expiry tests check exact behaviour however long the
/// machine stalls between requests.
public final class ManualStoreClock: Sendable {
    private let current: Mutex<StoreTimestamp>

    /// Starts at `start` (by default the real time now, so RFC 3339 deadlines built from it look ordinary).
    public init(start: StoreTimestamp = .now()) {
        current = Mutex(start)
    }

    /// The time the clock shows.
    public var now: StoreTimestamp { current.withLock { $0 } }

    /// Moves the clock forward by `milliseconds`.
    public func advance(milliseconds: Int64) {
        current.withLock { $0.milliseconds += milliseconds }
    }

    /// The ``StoreClock`` to hand to ``ServerOptions/clock``.
    public var storeClock: StoreClock {
        StoreClock { [self] in self.now }
    }
}
