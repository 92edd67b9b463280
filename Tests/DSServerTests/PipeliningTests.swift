import DSTestSupport
import Foundation
import Testing

/// HTTP/1.1 pipelining: requests sent back to back on one connection are all answered, in order.
struct PipeliningTests {
    @Test(arguments: StoreKind.allCases)
    func pipelinedRequestsAreAllAnswered(_ kind: StoreKind) async throws {
        try await TestServer.with(kind) { server in
            let path = uniquePath("pipelined")
            try await server.createStream(path)
            let target = server.urlPath(path)
            var requests = ""
            for index in 0..<3 {
                requests += "POST \(target) HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\nContent-Length: 1\r\n\r\n\(index)"
            }
            requests += "GET \(target)?offset=-1 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
            let reply = try await RawHTTP.exchange(port: server.port, request: Array(requests.utf8))
            #expect(Self.statuses(reply) == ["204", "204", "204", "200"])
            #expect(reply.hasSuffix("012"))
        }
    }

    /// Many requests in one write: the server takes them up one after another (holding its reads meanwhile)
    /// and answers every one, in order, with the body each appended in place.
    @Test(arguments: StoreKind.allCases)
    func aLongPipelineIsAnsweredInOrder(_ kind: StoreKind) async throws {
        try await TestServer.with(kind) { server in
            let path = uniquePath("pipelined-long")
            try await server.createStream(path)
            let target = server.urlPath(path)
            let count = 120
            var requests = ""
            var expected = ""
            for index in 0..<count {
                let body = String(index % 10)
                expected += body
                requests += "POST \(target) HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\nContent-Length: 1\r\n\r\n\(body)"
            }
            requests += "GET \(target)?offset=-1 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
            // Appends pipelined behind appends go to the file store together, but allow for a slow disk.
            let reply = try await RawHTTP.exchange(port: server.port, request: Array(requests.utf8), timeout: .seconds(120))
            #expect(Self.statuses(reply) == Array(repeating: "204", count: count) + ["200"])
            #expect(reply.hasSuffix("\r\n\r\n" + expected))
        }
    }

    /// A request queued behind a response that completes later (here a long-poll that times out) is
    /// delivered while that response's end is written; it must still be answered.
    @Test(arguments: StoreKind.allCases)
    func requestPipelinedBehindAWaitingLongPollIsAnswered(_ kind: StoreKind) async throws {
        try await TestServer.with(kind, configure: { $0.longPollTimeout = .milliseconds(100) }) { server in
            let path = uniquePath("pipelined-wait")
            let created = try await server.createStream(path)
            let tail = try #require(created.nextOffset)
            let target = server.urlPath(path)
            let requests = "GET \(target)?offset=\(tail)&live=long-poll HTTP/1.1\r\nHost: localhost\r\n\r\n"
                + "POST \(target) HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\nContent-Length: 1\r\nConnection: close\r\n\r\nx"
            let reply = try await RawHTTP.exchange(port: server.port, request: Array(requests.utf8))
            #expect(Self.statuses(reply) == ["204", "204"])
        }
    }

    /// Bytes after a `Connection: close` request are not decoded (the decoder reports them as an error): the
    /// answers up to and including that request are still sent, also when the store answers later.
    @Test(arguments: StoreKind.allCases)
    func bytesAfterConnectionCloseDoNotCostTheAnswersBeforeThem(_ kind: StoreKind) async throws {
        try await TestServer.with(kind) { server in
            let path = uniquePath("pipelined-close")
            try await server.createStream(path)
            let target = server.urlPath(path)
            var requests = ""
            for (index, body) in ["k0", "k1", "k2"].enumerated() {
                requests += "POST \(target) HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\n"
                    + (index == 1 ? "Connection: close\r\n" : "") + "Content-Length: 2\r\n\r\n\(body)"
            }
            let reply = try await RawHTTP.exchange(port: server.port, request: Array(requests.utf8), timeout: .seconds(60))
            #expect(Self.statuses(reply) == ["204", "204"])
            #expect(try await server.request(.GET, path + "?offset=-1").text == "k0k1")
        }
    }

    private static func statuses(_ reply: String) -> [String] {
        reply.components(separatedBy: "\r\n").filter { $0.hasPrefix("HTTP/1.1 ") }.map { String($0.dropFirst(9).prefix(3)) }
    }
}
