/// `currentCursor`, unless `previousCursor` has caught up with it; then a cursor
/// strictly greater than `previousCursor`, advanced by 1 to 3600 seconds of random
/// jitter expressed as whole intervals (at least one).
///
/// This is the step that keeps cursors monotonic (PROTOCOL.md 10.1): a client that
/// echoes a cursor at or beyond the clock must still get a new cache key. The random
/// size of the step spreads clients so they do not all land on the same key.
/// A `previousCursor` that is absent or not a plain decimal of at most 18 digits is
/// ignored. An unparsable `currentCursor` counts as interval 0.
///
/// - Parameter generator: The source of the jitter; pass a seeded generator in tests.
public func handleCursorCollision(
    currentCursor: String,
    previousCursor: String?,
    options: CursorOptions = .init(),
    using generator: inout some RandomNumberGenerator
) -> String {
    guard let previous = CursorValue.parse(previousCursor) else { return currentCursor }
    let current = CursorValue.parse(currentCursor) ?? 0
    guard previous >= current else { return currentCursor }
    return String(CursorJitter.advance(previous, options: options, using: &generator))
}

/// `handleCursorCollision(currentCursor:previousCursor:options:using:)` with the
/// system random number generator, for production use.
public func handleCursorCollision(
    currentCursor: String,
    previousCursor: String?,
    options: CursorOptions = .init()
) -> String {
    var generator = SystemRandomNumberGenerator()
    return handleCursorCollision(
        currentCursor: currentCursor,
        previousCursor: previousCursor,
        options: options,
        using: &generator
    )
}
