import AsyncHTTPClient
import DSTestSupport
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// The `durable-streams-server dev` executable: flags, the banner, the registry default and graceful signals.
struct DevCommandTests {
    private func request(
        _ method: HTTPMethod, _ url: String, headers: [(String, String)] = [], body: String? = nil, timeout: TimeAmount = .seconds(30)
    ) async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        return try await TestHTTPClient.shared.execute(request, timeout: timeout)
    }

    @Test func servesWithARegistryAndStopsOnSIGTERM() async throws {
        let server = try await ServerProcess.start(arguments: ["dev", "--port", "0", "--long-poll-timeout-ms", "60000"])
        #expect(server.banner.contains("listening on http://127.0.0.1:"))
        #expect(server.streamRootURL.hasSuffix("/v1/stream/"))
        let path = uniquePath()
        #expect(try await request(.PUT, server.streamRootURL + path, headers: [("Content-Type", "text/plain")]).status == .created)
        let registry = try await request(.GET, server.streamRootURL + "__registry__")
        #expect(registry.status == .ok)
        // Subscriptions are served in development mode: a localhost webhook URL is accepted.
        let jwks = try await request(.GET, server.streamRootURL + "__ds/jwks.json")
        #expect(jwks.status == .ok)
        #expect(jwks.headers.first(name: "Content-Type") == "application/jwk-set+json")
        let subscription = try await request(
            .PUT, server.streamRootURL + "__ds/subscriptions/dev-sub",
            headers: [("Content-Type", "application/json")],
            body: #"{"type":"webhook","streams":["\#(path)"],"webhook":{"url":"http://localhost:9/hook"}}"#
        )
        #expect(subscription.status == .created)
        // A live SSE reader (its first control event proves the server registered it) ends cleanly on SIGTERM.
        let reader = try await SSEReader.open(server.streamRootURL + "\(path)?offset=now&live=sse")
        let (first, _) = try await reader.events { $0.count >= 1 }
        #expect(first.first?.event == "control")
        #expect(try await server.stop(signal: SIGTERM) == 0)
        let (_, ended) = try await reader.events()
        #expect(ended)
    }

    @Test func flagsShapeTheServer() async throws {
        let server = try await ServerProcess.start(arguments: [
            "dev", "--port", "0", "--no-registry", "--stream-root", "/s/", "--max-body-bytes", "2000", "--cors-origin", "none", "--no-compression",
        ])
        #expect(server.streamRootURL.hasSuffix("/s/"))
        let path = uniquePath()
        // 2000 bytes: the largest body allowed, and well worth gzipping were compression on.
        let created = try await request(.PUT, server.streamRootURL + path, headers: [("Content-Type", "text/plain")], body: String(repeating: "x", count: 2000))
        #expect(created.status == .created)
        #expect(created.headers.first(name: "Access-Control-Allow-Origin") == nil)
        #expect(try await request(.POST, server.streamRootURL + path, headers: [("Content-Type", "text/plain")], body: String(repeating: "x", count: 2001)).status == .payloadTooLarge)
        let read = try await request(.GET, server.streamRootURL + path, headers: [("Accept-Encoding", "gzip")])
        #expect(read.status == .ok)
        #expect(read.headers.first(name: "Content-Encoding") == nil)
        #expect(try await read.body.collect(upTo: 1 << 20).readableBytes == 2000)
        #expect(try await request(.GET, server.streamRootURL + "__registry__").status == .notFound)
        #expect(try await server.stop(signal: SIGINT) == 0)
    }

    @Test func hostLongPollTimeoutCompressionAndCORSOriginFlags() async throws {
        // 127.0.0.2 is loopback on Linux, and an address only --host can have chosen.
        let server = try await ServerProcess.start(arguments: [
            "dev", "--host", "127.0.0.2", "--port", "0", "--no-registry", "--long-poll-timeout-ms", "200", "--cors-origin", "https://app.example",
        ])
        #expect(server.banner.contains("http://127.0.0.2:"))
        let path = uniquePath()
        let text = String(repeating: "compressible text ", count: 200)
        let created = try await request(.PUT, server.streamRootURL + path, headers: [("Content-Type", "text/plain")], body: text)
        #expect(created.status == .created)
        #expect(created.headers.first(name: "Access-Control-Allow-Origin") == "https://app.example")
        // With the 30 s default this long-poll would outlast the request's own 20 s timeout.
        let tail = try #require(created.headers.first(name: "Stream-Next-Offset"))
        let poll = try await request(.GET, server.streamRootURL + "\(path)?offset=\(tail)&live=long-poll", timeout: .seconds(20))
        #expect(poll.status == .noContent)
        #expect(poll.headers.first(name: "Stream-Up-To-Date") == "true")
        // Compression is on unless --no-compression.
        let read = try await request(.GET, server.streamRootURL + path, headers: [("Accept-Encoding", "gzip")])
        #expect(read.headers.first(name: "Content-Encoding") == "gzip")
        #expect(try await read.body.collect(upTo: 1 << 20).readableBytes < text.utf8.count)
        #expect(try await server.stop(signal: SIGINT) == 0)
    }

    @Test func invalidFlagsFailWithAMessage() async throws {
        let (status, message) = try await runBlocking {
            let process = try ChildProcess(
                executable: ServerProcess.executablePath, arguments: ["dev", "--port", "70000"], standardOutput: .capture, standardError: .capture
            )
            let message = ChildProcess.readToEnd(process.standardError)
            return (process.waitForExit(), message)
        }
        #expect(status != 0)
        #expect(message.contains("--port"))
    }
}
