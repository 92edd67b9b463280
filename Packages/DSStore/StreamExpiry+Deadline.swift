import DSProtocol

extension StreamExpiry {
    /// The moment the stream expires, given the time of its last read or write.
    public func deadline(lastAccess: StoreTimestamp) -> StoreTimestamp? {
        switch self {
        case .none: return nil
        case .ttl(let seconds): return StoreTimestamp(milliseconds: lastAccess.milliseconds &+ seconds * 1000)
        case .expiresAt(let milliseconds): return StoreTimestamp(milliseconds: milliseconds)
        }
    }

    /// Whether the stream has expired at `now`: the deadline is exact to the millisecond and inclusive.
    public func hasExpired(lastAccess: StoreTimestamp, now: StoreTimestamp) -> Bool {
        guard let deadline = deadline(lastAccess: lastAccess) else { return false }
        return now >= deadline
    }

    /// Whether reads and writes move the deadline.
    public var slides: Bool {
        if case .ttl = self { return true }
        return false
    }
}
