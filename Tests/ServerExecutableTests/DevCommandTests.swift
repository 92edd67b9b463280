import AsyncHTTPClient
import DSTestSupport
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// The `durable-streams-server dev` executable: flags, the banner, the registry default and graceful signals.
struct DevCommandTests {
    private func request(_ method: HTTPMethod, _ url: String, headers: [(String, String)] = [], body: String? = nil) async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        return try await TestHTTPClient.shared.execute(request, timeout: .seconds(30))
    }

    @Test func servesWithARegistryAndStopsOnSIGTERM() async throws {
        let server = try ServerProcess(arguments: ["dev", "--port", "0", "--long-poll-timeout-ms", "60000"])
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
        #expect(try server.stop(signal: SIGTERM) == 0)
        let (_, ended) = try await reader.events()
        #expect(ended)
    }

    @Test func flagsShapeTheServer() async throws {
        let server = try ServerProcess(arguments: [
            "dev", "--port", "0", "--no-registry", "--stream-root", "/s/", "--max-body-bytes", "10", "--cors-origin", "none", "--no-compression",
        ])
        #expect(server.streamRootURL.hasSuffix("/s/"))
        let path = uniquePath()
        let created = try await request(.PUT, server.streamRootURL + path, headers: [("Content-Type", "text/plain")])
        #expect(created.status == .created)
        #expect(created.headers.first(name: "Access-Control-Allow-Origin") == nil)
        #expect(try await request(.POST, server.streamRootURL + path, headers: [("Content-Type", "text/plain")], body: String(repeating: "x", count: 11)).status == .payloadTooLarge)
        #expect(try await request(.GET, server.streamRootURL + "__registry__").status == .notFound)
        #expect(try server.stop(signal: SIGINT) == 0)
    }

    @Test func invalidFlagsFailWithAMessage() throws {
        let process = try ChildProcess(
            executable: ServerProcess.executablePath,
            arguments: ["dev", "--port", "70000"],
            standardOutput: .null,
            standardError: .pipe
        )
        let message = String(decoding: process.standardError!.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.waitUntilExit() != 0)
        #expect(message.contains("--port"))
    }
}
