/// A token bucket: `capacity` tokens, refilled at `rate` per second. Costs above the capacity are allowed
/// from a full bucket and leave it in debt, so the long-run rate holds even for large single costs.
struct TokenBucket: Sendable {
    private(set) var tokens: Double
    private var updatedNanoseconds: UInt64

    init(capacity: Double, now: UInt64) {
        tokens = capacity
        updatedNanoseconds = now
    }

    /// Adds the tokens earned since the last update.
    mutating func refill(rate: Double, capacity: Double, now: UInt64) {
        guard now > updatedNanoseconds else { return }
        let elapsed = Double(now - updatedNanoseconds) / 1_000_000_000
        tokens = min(capacity, tokens + elapsed * rate)
        updatedNanoseconds = now
    }

    /// Seconds until `cost` can be paid (`0` when it can be paid now). Call after ``refill(rate:capacity:now:)``.
    func wait(for cost: Double, rate: Double, capacity: Double) -> Double {
        let needed = min(cost, capacity)
        guard tokens < needed else { return 0 }
        return (needed - tokens) / rate
    }

    mutating func pay(_ cost: Double) { tokens -= cost }

    /// Whether the bucket is full (an idle client that can be forgotten).
    func isFull(capacity: Double) -> Bool { tokens >= capacity }
}
