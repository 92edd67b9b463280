import DSTestSupport
import Foundation
import Testing

/// An append reads its headers in one pass; these pin the rules of `HTTPHeaders.first(name:)` it keeps:
/// names in any case, and the first of repeated headers wins.
struct AppendHeaderTests {
    @Test func headerNamesInAnyCaseAreRead() async throws {
        try await TestServer.with(.memory) { server in
            let path = uniquePath("odd-case")
            try await server.createStream(path)
            let target = server.urlPath(path)
            let request = "POST \(target) HTTP/1.1\r\nHost: x\r\ncONTENT-tYPE: text/plain\r\nPRODUCER-ID: p\r\nproducer-EPOCH: 0\r\n"
                + "Producer-SEQ: 0\r\nSTREAM-closed: true\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi"
            let reply = try await RawHTTP.exchange(port: server.port, request: Array(request.utf8)).lowercased()
            #expect(reply.hasPrefix("http/1.1 200"))
            #expect(reply.contains("producer-epoch: 0\r\n"))
            #expect(reply.contains("producer-seq: 0\r\n"))
            #expect(reply.contains("stream-closed: true\r\n"))
            let read = try await server.request(.GET, "\(path)?offset=-1")
            #expect(read.text == "hi")
        }
    }

    @Test func theFirstOfRepeatedHeadersWins() async throws {
        try await TestServer.with(.memory) { server in
            let path = uniquePath("repeated")
            try await server.createStream(path)
            let target = server.urlPath(path)
            let request = "POST \(target) HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nSTREAM-SEQ: m\r\nstream-seq: z\r\n"
                + "Content-Length: 1\r\nConnection: close\r\n\r\na"
            let reply = try await RawHTTP.exchange(port: server.port, request: Array(request.utf8))
            #expect(reply.hasPrefix("HTTP/1.1 204"))
            // "n" is past "m" (the first value) but not past "z" (the second).
            let next = try await server.appendText(path, "b", headers: [("Stream-Seq", "n")])
            #expect(next.status == .noContent)
        }
    }
}
