/// Webhook retry delays (PROTOCOL.md §7.1): exponential from 1 s, capped at 60 s, with ±20% jitter.
enum RetryBackoff {
    static let baseMilliseconds: Int64 = 1_000
    static let capMilliseconds: Int64 = 60_000
    static let jitter = 0.2

    /// The nominal delay before attempt `attempts + 1`, after `attempts` failures (≥ 1).
    static func nominalDelay(afterFailures attempts: Int) -> Int64 {
        let exponent = min(max(attempts - 1, 0), 16)
        return min(baseMilliseconds << Int64(exponent), capMilliseconds)
    }

    /// The nominal delay with jitter applied.
    static func delay(afterFailures attempts: Int) -> Int64 {
        let nominal = Double(nominalDelay(afterFailures: attempts))
        return Int64(nominal * Double.random(in: (1 - jitter)...(1 + jitter)))
    }
}
