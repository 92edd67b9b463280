import DSTestSupport
import NIOCore
import NIOHTTP1
import Testing

/// What the HTTP layer adds around the protocol: routing, limits, compression, CORS and security headers.
struct HTTPSurfaceTests {
    @Test func securityAndCORSHeadersOnEveryResponse() async throws {
        try await TestServer.with { (server: TestServer) async throws in
            let path = uniquePath()
            for response in [
                try await server.createStream(path),
                try await server.request(.GET, path),
                try await server.request(.GET, uniquePath()),
                try await server.request(.GET, "/elsewhere"),
            ] {
                #expect(response.header("X-Content-Type-Options") == "nosniff")
                #expect(response.header("Cross-Origin-Resource-Policy") == "cross-origin")
                #expect(response.header("Access-Control-Allow-Origin") == "*")
                let exposed = response.header("Access-Control-Expose-Headers") ?? ""
                for name in ["Stream-Next-Offset", "Stream-Cursor", "Stream-Up-To-Date", "Stream-Closed", "ETag", "Producer-Epoch"] {
                    #expect(exposed.contains(name))
                }
            }
        }
    }

    @Test func preflightAndConfiguredOrigin() async throws {
        try await TestServer.with(configure: { $0.cors = CORSOptions(allowOrigin: "https://app.example") }) { (server: TestServer) async throws in
            let preflight = try await server.request(.OPTIONS, uniquePath(), headers: [("Origin", "https://app.example"), ("Access-Control-Request-Method", "POST")])
            #expect(preflight.status == .noContent)
            #expect(preflight.header("Access-Control-Allow-Origin") == "https://app.example")
            #expect(preflight.header("Access-Control-Allow-Methods")?.contains("POST") == true)
            #expect(preflight.header("Access-Control-Allow-Headers")?.contains("Producer-Id") == true)
        }
        try await TestServer.with(configure: { $0.cors = nil }) { (server: TestServer) async throws in
            #expect(try await server.request(.GET, uniquePath()).header("Access-Control-Allow-Origin") == nil)
        }
    }

    @Test func routingUnderAConfigurableRoot() async throws {
        try await TestServer.with(configure: { $0.streamRoot = "/streams/" }) { (server: TestServer) async throws in
            #expect(server.url("a/b") .hasSuffix("/streams/a/b"))
            #expect(try await server.request(.PUT, "nested/deep/path", headers: [("Content-Type", "text/plain")]).status == .created)
            #expect(try await server.request(.GET, "/v1/stream/nested/deep/path").status == .notFound)
            // Percent-encoded and plain spellings name the same stream.
            #expect(try await server.request(.GET, "nested%2Fdeep/path").status == .ok)
            #expect(try await server.request(.PUT, "__ds/subscriptions/x").status == .notFound)
            #expect(try await server.request(.PUT, "__ds").status == .notFound)
            #expect(try await server.request(.PUT, "a/../b").status == .badRequest)
            let badEscape = try await RawHTTP.exchange(port: server.port, request: Array("PUT /streams/bad%zzescape HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8))
            #expect(badEscape.hasPrefix("HTTP/1.1 400"))
            #expect(try await server.request(.PUT, "").status == .badRequest)
            #expect(try await server.request(.PATCH, "nested/deep/path").status == .methodNotAllowed)
        }
    }

    @Test func oversizedBodiesAreRefusedAndNothingIsStored() async throws {
        try await TestServer.with(configure: { $0.limits.maxBodyBytes = 1000 }) { (server: TestServer) async throws in
            let path = uniquePath()
            try await server.createStream(path)
            let tooBig = try await server.request(.POST, path, headers: [("Content-Type", "text/plain")], body: ByteBuffer(repeating: 65, count: 1001))
            #expect(tooBig.status == .payloadTooLarge)
            #expect(tooBig.header("X-Content-Type-Options") == "nosniff")
            #expect(try await server.appendText(path, String(repeating: "b", count: 1000)).status == .noContent)
            #expect(try await server.request(.GET, path).body.readableBytes == 1000)
            // A chunked body (no Content-Length) is cut off while it arrives.
            let chunked = "POST \(server.urlPath(path)) HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "3e8\r\n" + String(repeating: "c", count: 1000) + "\r\n" + "3e8\r\n" + String(repeating: "c", count: 1000) + "\r\n0\r\n\r\n"
            let reply = try await RawHTTP.exchange(port: server.port, request: Array(chunked.utf8))
            #expect(reply.hasPrefix("HTTP/1.1 413"))
            #expect(try await server.request(.GET, path).body.readableBytes == 1000)
            // An oversized initial body creates nothing.
            let unborn = uniquePath()
            let create = try await server.request(.PUT, unborn, headers: [("Content-Type", "text/plain")], body: ByteBuffer(repeating: 65, count: 1001))
            #expect(create.status == .payloadTooLarge)
            #expect(try await server.request(.HEAD, unborn).status == .notFound)
        }
    }

    @Test func oversizedTargetsAndHeadersGetClearErrors() async throws {
        try await TestServer.with(configure: {
            $0.limits.maxURIBytes = 200
            $0.limits.maxHeaderBytes = 2048
        }) { (server: TestServer) async throws in
            let longPath = String(repeating: "p", count: 300)
            let tooLong = try await server.request(.PUT, longPath)
            #expect(tooLong.status == .uriTooLong)
            #expect(tooLong.header("X-Content-Type-Options") == "nosniff")
            let bigHeader = "GET \(server.urlPath("x")) HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "h", count: 4096))\r\n\r\n"
            let reply = try await RawHTTP.exchange(port: server.port, request: Array(bigHeader.utf8))
            #expect(reply.hasPrefix("HTTP/1.1 431"))
            #expect(reply.lowercased().contains("x-content-type-options: nosniff"))
            // The server keeps serving afterwards.
            #expect(try await server.request(.PUT, uniquePath()).status == .created)
        }
    }

    @Test func garbageNeverCrashesTheServer() async throws {
        try await TestServer.with { (server: TestServer) async throws in
            for garbage in ["\u{0}\u{1}\u{2}\r\n\r\n", "GET\r\n\r\n", "POST /v1/stream/x HTTP/1.1\r\nContent-Length: abc\r\n\r\n", "GET / HTTP/9.9\r\n\r\n"] {
                let reply = try await RawHTTP.exchange(port: server.port, request: Array(garbage.utf8))
                #expect(reply.isEmpty || reply.hasPrefix("HTTP/1.1 4"), "reply to \(garbage.debugDescription): \(reply.prefix(40))")
            }
            #expect(try await server.request(.PUT, uniquePath()).status == .created)
        }
    }

    @Test func gzipWhenAcceptedAndWorthIt() async throws {
        try await TestServer.with { (server: TestServer) async throws in
            let path = uniquePath()
            let text = String(repeating: "compressible text ", count: 500)
            try await server.createStream(path, body: text)
            let gzipped = try await server.request(.GET, path, headers: [("Accept-Encoding", "gzip")])
            #expect(gzipped.header("Content-Encoding") == "gzip")
            #expect(gzipped.header("Vary")?.contains("Accept-Encoding") == true)
            #expect(gzipped.body.readableBytes < text.utf8.count / 10)
            #expect(try inflateGzip(gzipped.body) == Array(text.utf8))
            let plain = try await server.request(.GET, path, headers: [("Accept-Encoding", "identity")])
            #expect(plain.header("Content-Encoding") == nil)
            #expect(plain.text == text)
            let small = uniquePath()
            try await server.createStream(small, body: "tiny")
            #expect(try await server.request(.GET, small, headers: [("Accept-Encoding", "gzip")]).header("Content-Encoding") == nil)
        }
        try await TestServer.with(configure: { $0.compression = nil }) { (server: TestServer) async throws in
            let path = uniquePath()
            try await server.createStream(path, body: String(repeating: "x", count: 5000))
            #expect(try await server.request(.GET, path, headers: [("Accept-Encoding", "gzip")]).header("Content-Encoding") == nil)
        }
    }

    @Test func lifecycleHooksSeeCreatesAndDeletes() async throws {
        let recorder = EventRecorder()
        try await TestServer.with(configure: { $0.hooks = [FailingHook(), recorder] }) { (server: TestServer) async throws in
            let path = uniquePath()
            try await server.createStream(path, contentType: "application/json")
            try await server.request(.PUT, path, headers: [("Content-Type", "application/json")])
            #expect(try await server.request(.DELETE, path).status == .noContent)
            #expect(try await recorder.waitFor(timeoutSeconds: 30) { $0.count >= 2 })
            let events = recorder.recorded
            #expect(events.map(\.kind) == [.created, .deleted])
            #expect(events.allSatisfy { $0.path == path && $0.contentType.isJSON })
        }
    }
}

/// A hook that always throws: it must not affect requests or other hooks.
struct FailingHook: StreamLifecycleHook {
    func handle(_ event: StreamLifecycleEvent) async throws { throw TestFailure("hook failure") }
}

import DSServer
