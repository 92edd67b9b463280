/// Wall-clock milliseconds since the Unix epoch, the unit of every expiry decision.
public struct StoreTimestamp: Sendable, Hashable, Comparable {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    public var milliseconds: Int64

    /// Wraps a millisecond count.
    public init(milliseconds: Int64) { self.milliseconds = milliseconds }

    /// The current time from the system's real-time clock.
    public static func now() -> StoreTimestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return StoreTimestamp(milliseconds: Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000)
    }

    public static func < (lhs: StoreTimestamp, rhs: StoreTimestamp) -> Bool { lhs.milliseconds < rhs.milliseconds }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
