import DSTestSupport
import NIOCore
import Testing

/// The append headers are read in one pass over the request headers; names are case-insensitive and the first
/// occurrence wins, as with `HTTPHeaders.first(name:)`.
struct AppendHeaderTests {
    @Test(arguments: StoreKind.allCases)
    func appendHeadersAreFoundWhateverTheirCase(_ kind: StoreKind) async throws {
        try await TestServer.with(kind) { server in
            let path = uniquePath("append-headers")
            try await server.createStream(path)
            let first = try await server.request(
                .POST, path,
                headers: [("content-TYPE", "text/plain"), ("producer-ID", "p"), ("PRODUCER-EPOCH", "0"), ("producer-seq", "0"), ("stream-SEQ", "b")],
                body: ByteBuffer(string: "a")
            )
            #expect(first.status == .ok)
            #expect(first.header("Producer-Seq") == "0")
            let regressed = try await server.request(
                .POST, path, headers: [("Content-Type", "text/plain"), ("Stream-Seq", "a"), ("Stream-Seq", "z")], body: ByteBuffer(string: "b")
            )
            #expect(regressed.status == .conflict)  // the first Stream-Seq ("a") counts, and it is not above "b"
            let closed = try await server.request(.POST, path, headers: [("STREAM-closed", "true")])
            #expect(closed.status == .noContent)
            #expect(closed.header("Stream-Closed") == "true")
        }
    }
}
