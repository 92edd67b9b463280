#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's limit on open file descriptors. Every live reader holds a socket, and the usual soft limit
/// (1,024) is far below what a server with thousands of waiting long-polls and SSE readers needs, while the
/// hard limit is normally much higher; raising the soft limit up to the hard one needs no privileges.
enum FileDescriptorLimit {
    /// The soft and hard limits, or `nil` if they cannot be read.
    static func current() -> (soft: UInt64, hard: UInt64)? {
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return nil }
        return (UInt64(limit.rlim_cur), UInt64(limit.rlim_max))
    }

    /// Raises the soft limit to the hard limit (never lowers it).
    /// - Returns: the soft limit in force afterwards, or `nil` if the limits cannot be read.
    @discardableResult
    static func raiseSoftLimitToHard() -> UInt64? {
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return nil }
        guard limit.rlim_cur < limit.rlim_max else { return UInt64(limit.rlim_cur) }
        var raised = limit
        raised.rlim_cur = limit.rlim_max
        #if canImport(Darwin)
        // macOS refuses a soft limit above OPEN_MAX for RLIM_INFINITY hard limits.
        if raised.rlim_cur == RLIM_INFINITY { raised.rlim_cur = rlim_t(OPEN_MAX) }
        #endif
        guard setrlimit(resource, &raised) == 0 else { return UInt64(limit.rlim_cur) }
        return UInt64(raised.rlim_cur)
    }

    #if canImport(Glibc)
    private static let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
    private static let resource = RLIMIT_NOFILE
    #endif
}
