#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The cursor for the interval containing `now`: floor((now - epoch) / interval) as a
/// decimal string.
///
/// Servers send this on every live response so that successive requests from a
/// client carry different `cursor` values and CDN cache entries eventually expire.
/// Times before the epoch give "0" and absurdly distant ones are clamped, so the
/// result is always a cursor this module itself accepts back.
public func calculateCursor(options: CursorOptions = .init(), now: Date = Date()) -> String {
    String(currentCursorInterval(options: options, now: now))
}

/// The interval number containing `now`, clamped to `0...CursorValue.maxValue`.
@inlinable
func currentCursorInterval(options: CursorOptions, now: Date) -> Int {
    let elapsed = now.timeIntervalSince(options.epoch)
    let intervals = (elapsed / Double(options.effectiveIntervalSeconds)).rounded(.down)
    // `!(x > 0)` also catches NaN.
    guard intervals > 0 else { return 0 }
    guard intervals < Double(CursorValue.maxValue) else { return CursorValue.maxValue }
    return Int(intervals)
}
