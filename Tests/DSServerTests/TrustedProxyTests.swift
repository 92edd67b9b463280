import DSServer
import DSTestSupport
import NIOCore
import NIOHTTP1
import Testing

/// `X-Forwarded-Proto` and `X-Forwarded-Host` shape `Location` only when the peer is a trusted proxy.
struct TrustedProxyTests {
    private let forwarded = [("X-Forwarded-Proto", "https"), ("X-Forwarded-Host", "streams.example.com"), ("Content-Type", "text/plain")]

    @Test func aTrustedProxyShapesLocation() async throws {
        try await TestServer.with(configure: { $0.trustedProxies = [NetworkRange("127.0.0.1")!, NetworkRange("::1/128")!] }) {
            (server: TestServer) async throws in
            let path = uniquePath()
            let created = try await server.request(.PUT, path, headers: forwarded)
            #expect(created.status == .created)
            #expect(created.header("Location") == "https://streams.example.com\(server.urlPath(path))")
        }
    }

    @Test func anUntrustedPeerCannotShapeLocation() async throws {
        try await TestServer.with(configure: { $0.trustedProxies = [NetworkRange("10.0.0.0/8")!] }) { (server: TestServer) async throws in
            let path = uniquePath()
            let created = try await server.request(.PUT, path, headers: forwarded)
            #expect(created.header("Location") == server.url(path))
        }
        try await TestServer.with { (server: TestServer) async throws in
            let path = uniquePath()
            #expect(try await server.request(.PUT, path, headers: forwarded).header("Location") == server.url(path))
        }
    }

    @Test func implausibleForwardedValuesAreIgnored() async throws {
        try await TestServer.with(configure: { $0.trustedProxies = [NetworkRange("127.0.0.0/8")!] }) { (server: TestServer) async throws in
            let path = uniquePath()
            let created = try await server.request(
                .PUT, path,
                headers: [("X-Forwarded-Proto", "javascript"), ("X-Forwarded-Host", "evil.example/path"), ("Content-Type", "text/plain")]
            )
            #expect(created.header("Location") == server.url(path))
        }
    }

    @Test func rangesParseAndMatch() throws {
        let v4 = try #require(NetworkRange("192.168.4.0/22"))
        #expect(v4.contains(try SocketAddress(ipAddress: "192.168.7.255", port: 1)))
        #expect(!v4.contains(try SocketAddress(ipAddress: "192.168.8.0", port: 1)))
        #expect(v4.contains(try SocketAddress(ipAddress: "::ffff:192.168.5.1", port: 1)))
        let v6 = try #require(NetworkRange("fd00::/8"))
        #expect(v6.contains(try SocketAddress(ipAddress: "fd12:3456::1", port: 1)))
        #expect(!v6.contains(try SocketAddress(ipAddress: "fe80::1", port: 1)))
        #expect(!v6.contains(try SocketAddress(ipAddress: "10.0.0.1", port: 1)))
        #expect(NetworkRange("0.0.0.0/0")!.contains(try SocketAddress(ipAddress: "8.8.8.8", port: 1)))
        for bad in ["", "10.0.0.0/33", "fd00::/129", "example.com", "10.0.0.0/x", "10.0.0/8"] {
            #expect(NetworkRange(bad) == nil, "\(bad)")
        }
    }
}
