import Foundation
import NIOCore

/// How the client retries transient failures: network errors, `429` and `5xx`.
///
/// Delays grow exponentially from ``initialDelay`` to ``maxDelay``, each one randomised between half and all
/// of its nominal value so that many clients do not reconnect in lock-step. A `Retry-After` header on
/// `429`/`503` is honoured when it asks for longer (up to a minute, or ``maxDelay`` if that is longer).
public struct RetryPolicy: Sendable, Hashable {
    /// The delay before the first retry.
    public var initialDelay: Duration
    /// The longest delay between two attempts.
    public var maxDelay: Duration
    /// The factor applied to the delay after each failed attempt.
    public var multiplier: Double
    /// How many consecutive failed attempts are retried before the error is reported; `nil` retries forever.
    public var maxRetries: Int?

    /// Creates a policy.
    public init(
        initialDelay: Duration = .milliseconds(100),
        maxDelay: Duration = .seconds(10),
        multiplier: Double = 2,
        maxRetries: Int? = nil
    ) {
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
        self.multiplier = multiplier
        self.maxRetries = maxRetries
    }

    /// Retries forever with the default delays: right for readers that should survive outages.
    public static let `default` = RetryPolicy()

    /// Never retries.
    public static let none = RetryPolicy(maxRetries: 0)

    /// Whether another attempt may run after `failures` consecutive failures.
    func allowsRetry(afterFailures failures: Int) -> Bool {
        guard let maxRetries else { return true }
        return failures <= maxRetries
    }

    /// The randomised delay before the retry that follows `failures` consecutive failures (1 = first retry).
    func delay(afterFailures failures: Int, retryAfter: Duration? = nil) -> Duration {
        let maximum = maxDelay.seconds
        let exponent = Double(max(0, failures - 1))
        let nominal = min(maximum, initialDelay.seconds * pow(max(multiplier, 1), exponent))
        var seconds = nominal / 2 + Double.random(in: 0...1) * nominal / 2
        if let retryAfter {
            seconds = max(seconds, min(retryAfter.seconds, max(maximum, 60)))
        }
        return .nanoseconds(Int64(seconds * 1e9))
    }
}

extension Duration {
    /// The duration in (fractional) seconds.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) * 1e-18
    }
}

extension Duration {
    /// The same span as a NIO `TimeAmount`.
    var timeAmount: TimeAmount {
        .nanoseconds(components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000)
    }
}
