import DSTestSupport
import NIOCore
import Testing

/// The server's own request parser over real sockets: refusals are answered and the connection closed, and
/// chunked bodies arrive whole.
struct RequestParsingTests {
    /// `Content-Length` and `Transfer-Encoding` together: answered 400, the connection closed, and neither the
    /// body nor the request hidden in it reaches the stream.
    @Test func aSmugglingAttemptIsRefusedAndTheConnectionClosed() async throws {
        try await TestServer.with { (server: TestServer) async throws in
            let path = uniquePath("smuggle")
            try await server.createStream(path)
            let target = server.urlPath(path)
            let hidden = "POST \(target) HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 6\r\n\r\nhidden"
            let request = "POST \(target) HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + hidden
            let reply = try await RawHTTP.exchange(port: server.port, request: Array(request.utf8))
            #expect(reply.hasPrefix("HTTP/1.1 400"))
            #expect(reply.components(separatedBy: "HTTP/1.1 ").count == 2, "exactly one response: \(reply)")
            #expect(reply.lowercased().contains("connection: close"))
            #expect(try await server.request(.GET, "\(path)?offset=-1").body.readableBytes == 0)
        }
    }

    @Test func aChunkedAppendIsStoredWhole() async throws {
        try await TestServer.with { (server: TestServer) async throws in
            let path = uniquePath("chunked")
            try await server.createStream(path)
            let request = "POST \(server.urlPath(path)) HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "6;note=first\r\nhello \r\n5\r\nworld\r\n0\r\nChecksum: none\r\n\r\n"
                + "GET \(server.urlPath(path))?offset=-1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
            let reply = try await RawHTTP.exchange(port: server.port, request: Array(request.utf8))
            #expect(reply.hasPrefix("HTTP/1.1 204"))
            #expect(reply.hasSuffix("\r\n\r\nhello world"))
        }
    }

    @Test func refusalsCarryTheirStatus() async throws {
        try await TestServer.with(configure: { $0.limits.maxHeaderFields = 10 }) { (server: TestServer) async throws in
            let target = server.urlPath(uniquePath())
            let fields = (0..<11).map { "X-\($0): v\r\n" }.joined()
            for (request, status) in [
                ("GET \(target) HTTP/1.1\r\nHost: x\r\n\(fields)\r\n", "431"),
                ("POST \(target) HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", "501"),
                ("GET \(target) HTTP/1.1\nHost: x\r\n\r\n", "400"),
                ("GET \(target) HTTP/1.1\r\nHost : x\r\n\r\n", "400"),
                ("GET \(target) HTTP/2.0\r\nHost: x\r\n\r\n", "400"),
            ] {
                let reply = try await RawHTTP.exchange(port: server.port, request: Array(request.utf8))
                #expect(reply.hasPrefix("HTTP/1.1 \(status)"), "\(request.debugDescription): \(reply.prefix(60))")
                #expect(reply.lowercased().contains("x-content-type-options: nosniff"))
            }
            #expect(try await server.request(.PUT, uniquePath()).status == .created)
        }
    }
}
