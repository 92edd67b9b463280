#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Monotonic time in nanoseconds, comparable across every thread of the process (writers and readers
/// on different event loops measure append-to-delivery latency against the same clock).
enum BenchClock {
    @inline(__always)
    static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec)
    }

    /// Nanoseconds from now until `deadline`, or 0 when it has passed (reads the clock once).
    static func nanoseconds(until deadline: UInt64) -> Int64 {
        let now = now()
        return deadline > now ? Int64(deadline - now) : 0
    }
}
