/// The random step a cursor takes when the client's cursor is not behind the clock.
@usableFromInline
enum CursorJitter {
    /// Whole intervals covering `seconds`, rounded up and never less than one, so the
    /// resulting cursor is always strictly greater than the one it advances from.
    @inlinable
    static func intervals(forSeconds seconds: Int, intervalSeconds: Int) -> Int {
        let interval = max(1, intervalSeconds)
        let whole = seconds / interval
        let rounded = seconds % interval == 0 ? whole : whole + 1
        return max(1, rounded)
    }

    /// `previous` advanced by a random jitter of `CursorDefaults.jitterSeconds`
    /// converted to intervals. `previous` is at most `CursorValue.maxValue`, so the
    /// sum (at most 3600 more) cannot overflow.
    @inlinable
    static func advance(
        _ previous: Int,
        options: CursorOptions,
        using generator: inout some RandomNumberGenerator
    ) -> Int {
        let seconds = Int.random(in: CursorDefaults.jitterSeconds, using: &generator)
        return previous + intervals(forSeconds: seconds, intervalSeconds: options.effectiveIntervalSeconds)
    }
}
