@testable import DSServer
import DSTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Starting a server raises the open-file soft limit to the hard limit, so thousands of live readers fit.
struct FileDescriptorLimitTests {
    @Test func startingAServerRaisesTheSoftLimitToTheHardLimit() async throws {
        let before = try #require(FileDescriptorLimit.current())
        // Lower the soft limit by one (harmless to tests running alongside) so the raise is observable.
        var lowered = rlimit()
        #if canImport(Glibc)
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        #else
        let resource = RLIMIT_NOFILE
        #endif
        #expect(getrlimit(resource, &lowered) == 0)
        lowered.rlim_cur = rlim_t(before.hard - 1)
        #expect(setrlimit(resource, &lowered) == 0)
        #expect(FileDescriptorLimit.current()?.soft == before.hard - 1)
        try await TestServer.with(.memory) { _ in
            #expect(FileDescriptorLimit.current()?.soft == before.hard)
        }
    }
}
