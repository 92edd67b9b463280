#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The `Stream-Cursor` (or SSE `streamCursor`) a server returns on a live response.
///
/// It is the current interval, unless the client's `cursor` query parameter is at or
/// beyond it; then it is strictly greater than the client's cursor (see
/// `handleCursorCollision`). A client cursor that is absent, empty, signed,
/// non-numeric or longer than 18 digits is treated as absent, so hostile input can
/// neither crash the server nor overflow the arithmetic.
///
/// - Parameters:
///   - clientCursor: The `cursor` query parameter of the request, if any.
///   - now: The current time; injectable for tests.
///   - generator: The source of the jitter; pass a seeded generator in tests.
@inlinable  // lets a server's own generator be specialised in: cursors are made once per live answer
public func generateResponseCursor(
    clientCursor: String?,
    options: CursorOptions = .init(),
    now: Date = Date(),
    using generator: inout some RandomNumberGenerator
) -> String {
    let current = currentCursorInterval(options: options, now: now)
    guard let client = CursorValue.parse(clientCursor), client >= current else {
        return String(current)
    }
    return String(CursorJitter.advance(client, options: options, using: &generator))
}

/// `generateResponseCursor(clientCursor:options:now:using:)` with the system random
/// number generator, for production use.
public func generateResponseCursor(
    clientCursor: String?,
    options: CursorOptions = .init(),
    now: Date = Date()
) -> String {
    var generator = SystemRandomNumberGenerator()
    return generateResponseCursor(
        clientCursor: clientCursor,
        options: options,
        now: now,
        using: &generator
    )
}
