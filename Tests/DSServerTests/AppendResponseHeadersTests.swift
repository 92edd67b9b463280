import DSServer
import DSStore
import DSTestSupport
import NIOCore
import NIOHTTP1
import NIOPosix
import Testing

/// An append's answer keeps its headers as values, which the transport writes straight into the response
/// buffer; an embedder that reads ``StreamResponse/headers`` (another transport) must still see every header,
/// in the order the wire carries them, and may edit them.
struct AppendResponseHeadersTests {
    @Test
    func anAppendsHeadersAreVisibleAndEditableThroughTheResponse() async throws {
        let eventLoop = MultiThreadedEventLoopGroup.singleton.next()
        let options = ServerOptions(port: 0)
        let handler = StreamRequestHandler(options: options)
        let path = uniquePath()

        func send(_ method: HTTPMethod, headers: [(String, String)], body: String) async throws -> StreamResponse {
            let request = StreamRequest(
                method: method, streamPath: path, urlPath: "/v1/stream/" + path, query: [:],
                headers: HTTPHeaders(headers), body: ByteBuffer(string: body)
            )
            let context = RequestContext(
                eventLoop: eventLoop, allocator: ByteBufferAllocator(), lifetime: RequestLifetime(eventLoop: eventLoop), host: "x"
            )
            return try await handler.handle(request, context: context).get()
        }

        #expect(try await send(.PUT, headers: [("Content-Type", "text/plain")], body: "").status == .created)

        let plain = try await send(.POST, headers: [("Content-Type", "text/plain")], body: "hello")
        #expect(plain.status == .noContent)
        #expect(plain.headers.map(\.name) == ["Stream-Next-Offset", "Cache-Control"])
        #expect(plain.headers.first(name: "Stream-Next-Offset") == "0000000000000000_0000000000000005")
        #expect(plain.headers.first(name: "Cache-Control") == "no-store")

        let producer = [("Content-Type", "text/plain"), ("Producer-Id", "p"), ("Producer-Epoch", "3"), ("Producer-Seq", "0")]
        var stamped = try await send(.POST, headers: producer, body: "abc")
        #expect(stamped.status == .ok)
        #expect(stamped.headers.map(\.name) == ["Stream-Next-Offset", "Producer-Epoch", "Producer-Seq", "Cache-Control"])
        #expect(stamped.headers.first(name: "Producer-Epoch") == "3")
        #expect(stamped.headers.first(name: "Producer-Seq") == "0")
        stamped.headers.add(name: "X-Extra", value: "1")
        #expect(stamped.headers.map(\.name) == ["Stream-Next-Offset", "Producer-Epoch", "Producer-Seq", "Cache-Control", "X-Extra"])

        let closing = try await send(.POST, headers: [("Content-Type", "text/plain"), ("Stream-Closed", "true")], body: "z")
        #expect(closing.headers.first(name: "Stream-Closed") == "true")
        #expect(closing.headers.first(name: "Stream-Next-Offset") == "0000000000000000_0000000000000009")
        try await options.store.close()
    }
}
