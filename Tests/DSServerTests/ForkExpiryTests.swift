import DSProtocol
import DSTestSupport
import NIOCore
import NIOHTTP1
import Testing

/// Fork TTL and expiry (the table of PROTOCOL.md §4.2), and expiry of streams that take part in forks.
struct ForkExpiryTests {
    /// One row of the §4.2 table: what the source has, what the fork asks for, what the fork gets.
    enum Expiry: Sendable, CustomStringConvertible {
        case none
        case ttl(Int)
        case expiresAt(String)

        var headers: [(String, String)] {
            switch self {
            case .none: return []
            case .ttl(let seconds): return [("Stream-TTL", String(seconds))]
            case .expiresAt(let time): return [("Stream-Expires-At", time)]
            }
        }

        var description: String {
            switch self {
            case .none: return "none"
            case .ttl(let seconds): return "TTL \(seconds)"
            case .expiresAt(let time): return "Expires-At \(time)"
            }
        }
    }

    static let sourceDeadline = rfc3339(secondsFromNow: 86_400)
    static let forkDeadline = rfc3339(secondsFromNow: 2 * 86_400)

    /// (source, fork request, expected fork expiry)
    static let table: [(Expiry, Expiry, Expiry)] = [
        (.none, .none, .none),
        (.none, .ttl(600), .ttl(600)),
        (.none, .expiresAt(forkDeadline), .expiresAt(forkDeadline)),
        (.ttl(3600), .none, .ttl(3600)),
        (.ttl(3600), .ttl(600), .ttl(600)),
        (.ttl(3600), .expiresAt(forkDeadline), .expiresAt(forkDeadline)),
        (.expiresAt(sourceDeadline), .none, .expiresAt(sourceDeadline)),
        (.expiresAt(sourceDeadline), .ttl(600), .ttl(600)),
        (.expiresAt(sourceDeadline), .expiresAt(forkDeadline), .expiresAt(forkDeadline)),
    ]

    @Test(arguments: StoreKind.allCases)
    func forkExpiryFollowsTheInheritanceTable(_ kind: StoreKind) async throws {
        try await TestServer.with(kind) { server in
            for (sourceExpiry, requested, expected) in Self.table {
                let row = "source \(sourceExpiry), fork request \(requested)"
                let source = uniquePath("source")
                try await server.createStream(source, headers: sourceExpiry.headers, body: "data")
                let fork = uniquePath("fork")
                try await server.createFork(fork, from: source, headers: requested.headers)
                let head = try await server.request(.HEAD, fork)
                switch expected {
                case .none:
                    #expect(head.header("Stream-TTL") == nil, "\(row)")
                    #expect(head.header("Stream-Expires-At") == nil, "\(row)")
                case .ttl(let seconds):
                    #expect(head.header("Stream-TTL") == String(seconds), "\(row)")
                    #expect(head.header("Stream-Expires-At") == nil, "\(row)")
                case .expiresAt(let time):
                    #expect(head.header("Stream-TTL") == nil, "\(row)")
                    let reported = head.header("Stream-Expires-At").flatMap { RFC3339.parseMilliseconds($0) }
                    #expect(reported != nil && reported == RFC3339.parseMilliseconds(time), "\(row)")
                }
                // Repeating the same request is idempotent, inherited expiry included.
                #expect(try await server.fork(fork, from: source, headers: requested.headers).status == .ok, "\(row)")
            }
        }
    }

    /// A source that expires while forks use it behaves like a deleted one: soft-deleted, then collected.
    @Test(arguments: StoreKind.allCases)
    func sourceExpiringWithForksIsSoftDeleted(_ kind: StoreKind) async throws {
        let clock = ManualStoreClock()
        try await TestServer.with(kind, configure: { $0.clock = clock.storeClock }) { (server: TestServer) async throws in
            let source = uniquePath("source")
            let deadline = RFC3339.format(milliseconds: clock.now.milliseconds + 3000)
            try await server.createStream(source, headers: [("Stream-Expires-At", deadline)], body: "short-lived")
            let fork = uniquePath("fork")
            try await server.createFork(fork, from: source, headers: [("Stream-TTL", "3600")])

            clock.advance(milliseconds: 3000)
            #expect(try await server.headStatus(source) == .gone)
            #expect(try await server.read(source).status == .gone)
            #expect(try await server.request(.PUT, source, headers: [("Content-Type", "text/plain")]).status == .conflict)
            #expect(try await server.read(fork).text == "short-lived")

            #expect(try await server.request(.DELETE, fork).status == .noContent)
            try await eventually("the source to be collected") { try await server.headStatus(source) == .notFound }
        }
    }

    /// A fork that expires drops its reference like a deleted one.
    @Test(arguments: StoreKind.allCases)
    func expiredForkReleasesItsSource(_ kind: StoreKind) async throws {
        let clock = ManualStoreClock()
        try await TestServer.with(kind, configure: { $0.clock = clock.storeClock }) { (server: TestServer) async throws in
            let source = uniquePath("source")
            try await server.createStream(source, body: "long-lived")
            let fork = uniquePath("fork")
            let deadline = RFC3339.format(milliseconds: clock.now.milliseconds + 3000)
            try await server.createFork(fork, from: source, headers: [("Stream-Expires-At", deadline)])
            #expect(try await server.headStatus(fork) == .ok)

            clock.advance(milliseconds: 3000)
            try await eventually("the fork to expire") { try await server.headStatus(fork) == .notFound }
            #expect(try await server.request(.DELETE, source).status == .noContent)
            #expect(try await server.headStatus(source) == .notFound)
        }
    }
}
