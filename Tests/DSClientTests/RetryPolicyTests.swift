@testable import DSClient
import Testing

/// The back-off every reconnect and retry waits: exponential, jittered, capped, `Retry-After` honoured.
/// Pure arithmetic on the policy; no clock is involved.
struct RetryPolicyTests {
    static func seconds(_ duration: Duration) -> Double { duration.seconds }

    @Test func delaysGrowExponentiallyWithJitterUpToTheCap() {
        let policy = RetryPolicy(initialDelay: .milliseconds(100), maxDelay: .seconds(2), multiplier: 2)
        for failures in 1...10 {
            let nominal = min(2.0, 0.1 * Double(1 << (failures - 1)))
            for _ in 0..<200 {
                let delay = Self.seconds(policy.delay(afterFailures: failures))
                #expect(delay >= nominal / 2 - 1e-9 && delay <= nominal + 1e-9, "failure \(failures): \(delay) s")
            }
        }
    }

    @Test func retryAfterIsHonouredUpToAMinute() {
        let policy = RetryPolicy(initialDelay: .milliseconds(10), maxDelay: .seconds(1))
        #expect(Self.seconds(policy.delay(afterFailures: 1, retryAfter: .seconds(3))) == 3)
        #expect(Self.seconds(policy.delay(afterFailures: 1, retryAfter: .seconds(3600))) == 60)
        // A Retry-After shorter than the back-off does not shorten it.
        let slow = RetryPolicy(initialDelay: .seconds(8), maxDelay: .seconds(8))
        #expect(Self.seconds(slow.delay(afterFailures: 1, retryAfter: .seconds(0))) >= 4)
    }

    @Test func maxRetriesBoundsTheAttempts() {
        #expect(RetryPolicy.default.allowsRetry(afterFailures: 1_000_000))
        #expect(!RetryPolicy.none.allowsRetry(afterFailures: 1))
        let three = RetryPolicy(maxRetries: 3)
        #expect((1...3).allSatisfy { three.allowsRetry(afterFailures: $0) })
        #expect(!three.allowsRetry(afterFailures: 4))
    }
}
