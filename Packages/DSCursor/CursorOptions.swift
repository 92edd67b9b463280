#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// How a server counts cursor intervals: the epoch they start from and their length.
///
/// Kept as a value so a server can hold one copy in its configuration and tests can
/// pass odd values (short intervals, a moved epoch) without touching global state.
public struct CursorOptions: Sendable, Hashable {
    /// The moment interval 0 starts.
    public var epoch: Date

    /// The length of one interval in seconds. Values below 1 are treated as 1, so a
    /// misconfiguration degrades to one-second intervals instead of dividing by zero.
    public var intervalSeconds: Int

    /// Creates options; the defaults are the protocol's documented values.
    public init(
        epoch: Date = CursorDefaults.epoch,
        intervalSeconds: Int = CursorDefaults.intervalSeconds
    ) {
        self.epoch = epoch
        self.intervalSeconds = intervalSeconds
    }
}

extension CursorOptions {
    /// The interval length actually used for arithmetic: never below one second.
    @inlinable var effectiveIntervalSeconds: Int { max(1, intervalSeconds) }
}
