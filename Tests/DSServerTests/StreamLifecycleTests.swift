import DSTestSupport
import NIOCore
import NIOHTTP1
import Testing

/// Create, append, read, close, delete and HEAD over HTTP (PROTOCOL.md §4, §4.1, §5.1–5.6), for every store.
struct StreamLifecycleTests {
    @Test(arguments: StoreKind.allCases)
    func createAppendReadRoundTrip(store: StoreKind) async throws {
        try await TestServer.with(store) { (server: TestServer) async throws in
            let path = uniquePath()
            let created = try await server.createStream(path, body: "hello")
            #expect(created.header("Location") == server.url(path))
            #expect(created.header("Content-Type") == "text/plain")
            let append = try await server.appendText(path, " world")
            #expect(append.status == .noContent)
            #expect(try #require(append.nextOffset) > #require(created.nextOffset))
            let read = try await server.request(.GET, path)
            #expect(read.status == .ok)
            #expect(read.text == "hello world")
            #expect(read.header("Stream-Up-To-Date") == "true")
            #expect(read.header("Stream-Closed") == nil)
            #expect(read.nextOffset == append.nextOffset)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func createIsIdempotentOnlyForTheSameConfiguration(store: StoreKind) async throws {
        try await TestServer.with(store) { (server: TestServer) async throws in
            let path = uniquePath()
            try await server.createStream(path, headers: [("Stream-TTL", "600")])
            #expect(try await server.request(.PUT, path, headers: [("Content-Type", "text/plain"), ("Stream-TTL", "600")]).status == .ok)
            #expect(try await server.request(.PUT, path, headers: [("Content-Type", "text/plain; charset=utf-8"), ("Stream-TTL", "600")]).status == .ok)
            #expect(try await server.request(.PUT, path, headers: [("Content-Type", "application/json"), ("Stream-TTL", "600")]).status == .conflict)
            #expect(try await server.request(.PUT, path, headers: [("Content-Type", "text/plain"), ("Stream-TTL", "60")]).status == .conflict)
            #expect(try await server.request(.PUT, path, headers: [("Content-Type", "text/plain")]).status == .conflict)
            #expect(try await server.request(.PUT, path, headers: [("Content-Type", "text/plain"), ("Stream-TTL", "600"), ("Stream-Closed", "true")]).status == .conflict)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func defaultContentTypeIsOctetStream(store: StoreKind) async throws {
        try await TestServer.with(store) { (server: TestServer) async throws in
            let path = uniquePath()
            #expect(try await server.request(.PUT, path).status == .created)
            let head = try await server.request(.HEAD, path)
            #expect(head.header("Content-Type") == "application/octet-stream")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func closureIsObservableAndFinal(store: StoreKind) async throws {
        try await TestServer.with(store) { (server: TestServer) async throws in
            let path = uniquePath()
            try await server.createStream(path, body: "data")
            let close = try await server.request(.POST, path, headers: [("Stream-Closed", "TRUE")])
            #expect(close.status == .noContent)
            #expect(close.header("Stream-Closed") == "true")
            // Close-only is idempotent.
            #expect(try await server.request(.POST, path, headers: [("Stream-Closed", "true")]).status == .noContent)
            // Appends are refused with the final offset.
            let refused = try await server.request(.POST, path, headers: [("Content-Type", "text/plain")], text: "more")
            #expect(refused.status == .conflict)
            #expect(refused.header("Stream-Closed") == "true")
            #expect(refused.nextOffset == close.nextOffset)
            // Append-and-close on a closed stream is not idempotent without a producer.
            let again = try await server.request(.POST, path, headers: [("Content-Type", "text/plain"), ("Stream-Closed", "true")], text: "x")
            #expect(again.status == .conflict)
            let read = try await server.request(.GET, path)
            #expect(read.text == "data")
            #expect(read.header("Stream-Closed") == "true")
            let eof = try await server.request(.GET, path + "?offset=" + (read.nextOffset ?? ""))
            #expect(eof.status == .ok)
            #expect(eof.body.readableBytes == 0)
            #expect(eof.header("Stream-Closed") == "true")
            #expect((try await server.request(.HEAD, path)).header("Stream-Closed") == "true")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func nonTrueStreamClosedValuesAreIgnored(store: StoreKind) async throws {
        try await TestServer.with(store) { (server: TestServer) async throws in
            let path = uniquePath()
            try await server.createStream(path)
            for value in ["false", "yes", "1", "", "truee"] {
                let response = try await server.request(.POST, path, headers: [("Content-Type", "text/plain"), ("Stream-Closed", value)], text: "x")
                #expect(response.status == .noContent, "Stream-Closed: \(value)")
                #expect(response.header("Stream-Closed") == nil)
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func appendAndCloseAtomically(store: StoreKind) async throws {
        try await TestServer.with(store) { (server: TestServer) async throws in
            let path = uniquePath()
            try await server.createStream(path)
            let response = try await server.request(.POST, path, headers: [("Content-Type", "text/plain"), ("Stream-Closed", "true")], text: "final")
            #expect(response.status == .noContent)
            #expect(response.header("Stream-Closed") == "true")
            let read = try await server.request(.GET, path)
            #expect(read.text == "final")
            #expect(read.header("Stream-Closed") == "true")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func createClosedWithBody(store: StoreKind) async throws {
        try await TestServer.with(store) { (server: TestServer) async throws in
            let path = uniquePath()
            let created = try await server.request(.PUT, path, headers: [("Content-Type", "text/plain"), ("Stream-Closed", "true")], text: "all")
            #expect(created.status == .created)
            #expect(created.header("Stream-Closed") == "true")
            #expect(try await server.request(.PUT, path, headers: [("Content-Type", "text/plain"), ("Stream-Closed", "true")]).status == .ok)
            let read = try await server.request(.GET, path)
            #expect(read.text == "all")
            #expect(read.header("Stream-Closed") == "true")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func appendErrors(store: StoreKind) async throws {
        try await TestServer.with(store) { (server: TestServer) async throws in
            let path = uniquePath()
            #expect(try await server.request(.POST, path, headers: [("Content-Type", "text/plain")], text: "x").status == .notFound)
            try await server.createStream(path)
            #expect(try await server.request(.POST, path, headers: [("Content-Type", "text/plain")]).status == .badRequest)
            #expect(try await server.request(.POST, path, text: "no content type").status == .badRequest)
            #expect(try await server.request(.POST, path, headers: [("Content-Type", "application/json")], text: "{}").status == .conflict)
            #expect(try await server.request(.POST, path, headers: [("Content-Type", "not a type")], text: "x").status == .badRequest)
            // A content type on an empty close-only request is ignored.
            #expect(try await server.request(.POST, path, headers: [("Content-Type", "application/json"), ("Stream-Closed", "true")]).status == .noContent)
            // Closed is checked before the content type.
            let closed = try await server.request(.POST, path, headers: [("Content-Type", "application/json")], text: "{}")
            #expect(closed.status == .conflict)
            #expect(closed.header("Stream-Closed") == "true")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func streamSeqMustIncreaseBytewise(store: StoreKind) async throws {
        try await TestServer.with(store) { (server: TestServer) async throws in
            let path = uniquePath()
            try await server.createStream(path)
            #expect(try await server.appendText(path, "a", headers: [("Stream-Seq", "0009")]).status == .noContent)
            #expect(try await server.request(.POST, path, headers: [("Content-Type", "text/plain"), ("Stream-Seq", "0009")], text: "b").status == .conflict)
            #expect(try await server.request(.POST, path, headers: [("Content-Type", "text/plain"), ("Stream-Seq", "0008")], text: "b").status == .conflict)
            // Byte-wise, not numeric: "001" < "01".
            #expect(try await server.appendText(path, "c", headers: [("Stream-Seq", "01")]).status == .noContent)
            #expect(try await server.request(.POST, path, headers: [("Content-Type", "text/plain"), ("Stream-Seq", "001")], text: "d").status == .conflict)
            // "Z" (0x5A) < "a" (0x61) byte-wise.
            #expect(try await server.appendText(path, "e", headers: [("Stream-Seq", "Z")]).status == .noContent)
            #expect(try await server.appendText(path, "f", headers: [("Stream-Seq", "a")]).status == .noContent)
            #expect(try await server.request(.GET, path).text == "ace" + "f")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func deleteRemovesTheStream(store: StoreKind) async throws {
        try await TestServer.with(store) { (server: TestServer) async throws in
            let path = uniquePath()
            try await server.createStream(path, body: "x")
            let oldETag = try #require(try await server.request(.GET, path).header("ETag"))
            #expect(try await server.request(.DELETE, path).status == .noContent)
            #expect(try await server.request(.GET, path).status == .notFound)
            #expect(try await server.request(.HEAD, path).status == .notFound)
            #expect(try await server.request(.DELETE, path).status == .notFound)
            // The path can be used again; the new stream starts empty.
            try await server.createStream(path)
            #expect(try await server.request(.GET, path).body.readableBytes == 0)
            // Even with the same bytes at the same offsets, the new stream's ETags never revalidate the old one's.
            try await server.appendText(path, "x")
            let reread = try await server.request(.GET, path, headers: [("If-None-Match", oldETag)])
            #expect(reread.status == .ok)
            #expect(reread.text == "x")
            #expect(reread.header("ETag") != oldETag)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func headReportsMetadataWithoutCaching(store: StoreKind) async throws {
        try await TestServer.with(store) { (server: TestServer) async throws in
            let path = uniquePath()
            let created = try await server.createStream(path, headers: [("Stream-TTL", "3600")], body: "abc")
            let head = try await server.request(.HEAD, path)
            #expect(head.status == .ok)
            #expect(head.body.readableBytes == 0)
            #expect(head.header("Content-Type") == "text/plain")
            #expect(head.nextOffset == created.nextOffset)
            #expect(head.header("Stream-TTL") == "3600")
            #expect(head.header("Cache-Control") == "no-store")
            let expiring = uniquePath()
            try await server.createStream(expiring, headers: [("Stream-Expires-At", "2099-01-02T03:04:05Z")])
            #expect((try await server.request(.HEAD, expiring)).header("Stream-Expires-At") == "2099-01-02T03:04:05.000Z")
        }
    }
}
