import AsyncHTTPClient
import DSCursor
import DSServer
import DSStore
import DSTestSupport
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Testing

/// The embeddable server's own surface: options (port 0, host, cursor options, defaults) and
/// `start()`/`stop()`/`port`/`baseURL`, as an application embedding it sees them.
struct EmbeddedServerTests {
    @Test func portZeroBindsAnEphemeralPortAndStopReleasesIt() async throws {
        let server = DurableStreamServer(options: ServerOptions(port: 0, host: "127.0.0.1", eventLoopThreads: 1))
        try await server.start()
        let port = server.port
        do {
            #expect(port > 0)
            #expect(server.baseURL == "http://127.0.0.1:\(port)")
            #expect(server.streamRootURL == "http://127.0.0.1:\(port)/v1/stream/")
            #expect(try await Self.create(server.streamRootURL + uniquePath()) == .created)
        } catch {
            try? await server.stop()
            throw error
        }
        try await server.stop()
        // Nothing listens on the port any more.
        #expect(throws: (any Error).self) { _ = try RawSocket(port: port) }
    }

    @Test func theHostOptionIsTheInterfaceBound() async throws {
        // 127.0.0.2 is loopback on Linux but a different interface address from 127.0.0.1. Another listener holds
        // 127.0.0.1 on the port first: the server can bind the same port on 127.0.0.2 only if it binds that
        // interface alone, and a connection to 127.0.0.1 reaches the other listener, not the server. (Checking
        // that nothing answers on 127.0.0.1 instead raced with other tests' servers given the same port there.)
        let holder = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        defer { holder.close(promise: nil) }
        let port = try #require(holder.localAddress?.port)
        let server = DurableStreamServer(options: ServerOptions(port: port, host: "127.0.0.2", eventLoopThreads: 1))
        try await server.start()
        do {
            #expect(server.port == port)
            #expect(server.baseURL == "http://127.0.0.2:\(port)")
            #expect(try await Self.create(server.streamRootURL + uniquePath()) == .created)
        } catch {
            try? await server.stop()
            throw error
        }
        try await server.stop()
    }

    private static func create(_ url: String) async throws -> HTTPResponseStatus {
        var request = HTTPClientRequest(url: url)
        request.method = .PUT
        request.headers.add(name: "Content-Type", value: "text/plain")
        return try await TestHTTPClient.shared.execute(request, timeout: .seconds(30)).status
    }

    @Test func defaultsAreTheDocumentedOnes() {
        let options = ServerOptions()
        #expect(options.port == 4437)
        #expect(options.host == "127.0.0.1")
        #expect(options.streamRoot == "/v1/stream/")
        #expect(options.longPollTimeout == .seconds(30))
        #expect(options.sseConnectionLifetime == .seconds(60))
        #expect(options.compression != nil)
        #expect(options.cors?.allowOrigin == "*")
        #expect(options.cursorOptions == CursorOptions(epoch: CursorDefaults.epoch, intervalSeconds: CursorDefaults.intervalSeconds))
        #expect(options.cursorOptions.intervalSeconds == 20)
        #expect(options.cursorOptions.epoch == Date(timeIntervalSince1970: 1_728_432_000))  // 2024-10-09T00:00:00Z
    }

    /// Live reads take their cursors from `ServerOptions.cursorOptions`, not from the protocol defaults.
    @Test func cursorOptionsShapeLiveCursors() async throws {
        // One-second intervals from an epoch 1000 s ago: cursors near 1000, where the defaults would give millions.
        let options = CursorOptions(epoch: Date().addingTimeInterval(-1000), intervalSeconds: 1)
        try await TestServer.with(configure: {
            $0.cursorOptions = options
            $0.longPollTimeout = .milliseconds(100)
        }) { (server: TestServer) async throws in
            let path = uniquePath()
            let tail = try #require(try await server.createStream(path).nextOffset)
            let before = try #require(Int(calculateCursor(options: options)))
            let poll = try await server.request(.GET, "\(path)?offset=\(tail)&live=long-poll")
            let reader = try await SSEReader.open(server.url("\(path)?offset=\(tail)&live=sse"), timeout: .seconds(30))
            let (events, _) = try await reader.events { $0.count >= 1 }
            let after = try #require(Int(calculateCursor(options: options)))
            let pollCursor = try #require(poll.header("Stream-Cursor").flatMap { Int($0) })
            let sseCursor = try #require(try events.first?.controlObject()["streamCursor"] as? String).flatMap { Int($0) }
            #expect((before...after).contains(pollCursor))
            #expect(sseCursor.map { (before...after).contains($0) } == true)
        }
    }
}
