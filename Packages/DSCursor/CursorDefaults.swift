#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The default cursor parameters from the protocol (PROTOCOL.md section 10.1).
///
/// Every server that wants its cursors to line up with other implementations behind
/// the same CDN must count the same intervals from the same epoch, so these values
/// are the documented ones rather than tunables picked per deployment.
public enum CursorDefaults {
    /// The moment interval 0 starts: 2024-10-09T00:00:00Z (1 728 432 000 s after 1970).
    public static let epoch = Date(timeIntervalSince1970: 1_728_432_000)

    /// The length of one cursor interval, in seconds.
    public static let intervalSeconds: Int = 20

    /// The range of random jitter, in seconds, added when a client's cursor is not
    /// behind the current interval; the protocol fixes it at 1 to 3600 seconds.
    public static let jitterSeconds: ClosedRange<Int> = 1...3600
}
