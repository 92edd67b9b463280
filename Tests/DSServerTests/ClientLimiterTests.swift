@testable import DSServer
import Testing

/// The token buckets behind the rate limits, driven with explicit clock values.
struct ClientLimiterTests {
    private let second: UInt64 = 1_000_000_000

    @Test func bucketsRefillAtTheirRate() {
        let limiter = ClientLimiter(options: RateLimitOptions(requestsPerSecond: 2, requestBurst: 2))
        #expect(limiter.admit("a", bodyBytes: 0, now: 0) == nil)
        #expect(limiter.admit("a", bodyBytes: 0, now: 0) == nil)
        #expect(limiter.admit("a", bodyBytes: 0, now: 0) == ClientLimiter.Refusal(reason: "requests", retryAfterSeconds: 1))
        // Half a second earns one token at 2/s.
        #expect(limiter.admit("a", bodyBytes: 0, now: second / 2) == nil)
        #expect(limiter.admit("a", bodyBytes: 0, now: second / 2) != nil)
        // Another client is unaffected.
        #expect(limiter.admit("b", bodyBytes: 0, now: second / 2) == nil)
    }

    @Test func aLargeBodyFromAFullBucketLeavesTheClientInDebt() {
        let limiter = ClientLimiter(options: RateLimitOptions(bytesPerSecond: 10, byteBurst: 10))
        #expect(limiter.admit("a", bodyBytes: 30, now: 0) == nil)
        // 30 bytes against a 10-byte bucket: 20 bytes of debt plus 1 byte needed is 2.1 s at 10 B/s.
        #expect(limiter.admit("a", bodyBytes: 1, now: 0) == ClientLimiter.Refusal(reason: "bytes", retryAfterSeconds: 3))
        #expect(limiter.admit("a", bodyBytes: 1, now: 3 * second) == nil)
        // Bodiless requests are not charged to the byte bucket.
        #expect(limiter.admit("b", bodyBytes: 0, now: 0) == nil)
    }

    @Test func aRefusedRequestCostsNothing() {
        let limiter = ClientLimiter(options: RateLimitOptions(requestsPerSecond: 1, requestBurst: 1, bytesPerSecond: 1, byteBurst: 10))
        #expect(limiter.admit("a", bodyBytes: 10, now: 0) == nil)
        // The byte bucket refuses; the request token must not be spent by the refusal.
        #expect(limiter.admit("a", bodyBytes: 10, now: second)?.reason == "bytes")
        #expect(limiter.admit("a", bodyBytes: 0, now: second) == nil)
    }

    @Test func liveSlotsAreTakenAndReturned() {
        let limiter = ClientLimiter(options: RateLimitOptions(maxLiveRequestsPerClient: 2))
        #expect(limiter.acquireLive("a"))
        #expect(limiter.acquireLive("a"))
        #expect(!limiter.acquireLive("a"))
        #expect(limiter.acquireLive("b"))
        limiter.releaseLive("a")
        #expect(limiter.acquireLive("a"))
    }

    @Test func idleClientsAreForgotten() {
        // 16 shards pruning at 8 clients each: 1000 clients overfill every shard.
        let limiter = ClientLimiter(options: RateLimitOptions(requestsPerSecond: 1, requestBurst: 1), pruneThreshold: 8)
        for index in 0..<1000 { _ = limiter.admit("old-\(index)", bodyBytes: 0, now: 0) }
        // Clients that just paid are not idle, so nothing was forgotten yet.
        #expect(limiter.clientCount == 1000)
        // Ten seconds later every old bucket is full again: the next insert into each shard forgets them.
        for index in 0..<1000 { _ = limiter.admit("new-\(index)", bodyBytes: 0, now: 10 * second) }
        #expect(limiter.clientCount == 1000)
    }
}
