import DSTestSupport
import NIOCore
import NIOHTTP1
import Testing

/// A live reader woken by an append reads on a later turn of its event loop, so appends the server takes in
/// together (a writer's pipelined appends, read in one go) reach it as one event or one answer, not one each:
/// under load the fan-out falls behind by batching instead of without bound.
///
/// One event loop and the memory store (appends complete at once), so the appends are all applied within
/// one turn of the loop and the readers' reads come after them.
struct LiveBatchingTests {
    private static let parts = ["m1", "m2", "m3", "m4", "m5"]

    private func pipelinedAppends(_ server: TestServer, _ path: String) -> String {
        Self.parts.map { part in
            "POST \(server.urlPath(path)) HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\nContent-Length: \(part.utf8.count)\r\n\r\n\(part)"
        }.joined()
    }

    /// Reads from `socket` until `count` responses have arrived.
    private func receiveResponses(_ socket: RawSocket, count: Int) async throws -> String {
        var received = ""
        while received.components(separatedBy: "HTTP/1.1 204").count - 1 < count {
            let more = try await socket.receive()
            guard !more.isEmpty else { break }
            received += more
        }
        return received
    }

    @Test func pipelinedAppendsReachAnSSEReaderAsOneEvent() async throws {
        try await TestServer.with(.memory, configure: { $0.eventLoopThreads = 1 }) { (server: TestServer) async throws in
            let path = uniquePath()
            try await server.createStream(path)
            let tail = try await server.request(.HEAD, path).nextOffset ?? "-1"
            let reader = try await SSEReader.open(server.url("\(path)?offset=\(tail)&live=sse"), timeout: .seconds(20))
            let joined = Self.parts.joined()
            async let collected = reader.events { events in
                events.filter { $0.event == "data" }.map(\.data).joined().count >= joined.count
            }
            #expect(await eventually { server.server.liveRequestCount == 1 })
            let socket = try RawSocket(port: server.server.port)
            try socket.send(pipelinedAppends(server, path))
            let answers = try await receiveResponses(socket, count: Self.parts.count)
            #expect(answers.components(separatedBy: "HTTP/1.1 204").count - 1 == Self.parts.count)
            let data = try await collected.events.filter { $0.event == "data" }.map(\.data)
            #expect(data == [joined])
        }
    }

    @Test func pipelinedAppendsReachAWaitingLongPollInOneAnswer() async throws {
        try await TestServer.with(.memory, configure: { $0.eventLoopThreads = 1 }) { (server: TestServer) async throws in
            let path = uniquePath()
            try await server.createStream(path)
            let tail = try await server.request(.HEAD, path).nextOffset ?? "-1"
            async let answer = server.request(.GET, "\(path)?offset=\(tail)&live=long-poll")
            #expect(await eventually { server.server.liveRequestCount == 1 })
            let socket = try RawSocket(port: server.server.port)
            try socket.send(pipelinedAppends(server, path))
            _ = try await receiveResponses(socket, count: Self.parts.count)
            let response = try await answer
            #expect(response.status == .ok)
            #expect(response.text == Self.parts.joined())
        }
    }
}
