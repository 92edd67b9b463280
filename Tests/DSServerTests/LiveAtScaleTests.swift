@testable import DSStore
import DSProtocol
import DSTestSupport
import NIOCore
import NIOHTTP1
import Testing

/// Live tailing with hundreds of real connections (issue: live tailing at scale). Correctness only:
/// everyone receives every byte exactly once and in order, waiters are released, buffering is bounded.
/// Latency and memory figures come from the benchmark tool, never from tests.
@Suite(.serialized)
struct LiveAtScaleTests {
    @Test(arguments: StoreKind.allCases)
    func oneAppendReachesEveryLongPollAndSSEReaderExactlyOnce(store: StoreKind) async throws {
        // The SSE readers must stay connected from their opening to the close, through 500 connections' set-up
        // (up to 30 s of waiting below): the default 60 s lifetime could end the first ones early on a loaded machine.
        try await TestServer.with(store, configure: {
            $0.longPollTimeout = .seconds(60)
            $0.sseConnectionLifetime = .seconds(600)
        }) { (server: TestServer) async throws in
            let path = uniquePath()
            let tail = try #require(try await server.createStream(path, body: "history;").nextOffset)
            let readersPerKind = 250
            let sse = try await withThrowingTaskGroup(of: SSEReader.self) { group in
                for _ in 0..<readersPerKind {
                    group.addTask { try await SSEReader.open(server.url("\(path)?offset=\(tail)&live=sse"), timeout: .seconds(60)) }
                }
                return try await group.reduce(into: [SSEReader]()) { $0.append($1) }
            }
            async let longPolled = withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<readersPerKind {
                    group.addTask { try await Self.longPollUntilClosed(server, path: path, from: tail) }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(await eventually(within: 30) { server.server.liveRequestCount == 2 * readersPerKind })
            let messages = (0..<5).map { "message-\($0);" }
            for message in messages { try await server.appendText(path, message) }
            try await server.request(.POST, path, headers: [("Stream-Closed", "true")])
            let expected = messages.joined()
            let sseTexts = try await withThrowingTaskGroup(of: String.self) { group in
                for reader in sse {
                    group.addTask {
                        let (events, ended) = try await reader.events()
                        guard ended else { throw TestFailure("SSE reader did not end") }
                        return events.filter { $0.event == "data" }.map(\.data).joined()
                    }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(sseTexts.count == readersPerKind)
            #expect(sseTexts.allSatisfy { $0 == expected })
            let pollTexts = try await longPolled
            #expect(pollTexts.count == readersPerKind)
            #expect(pollTexts.allSatisfy { $0 == expected })
            #expect(await eventually { server.server.liveRequestCount == 0 })
        }
    }

    /// Long-polls from `offset` until the stream reports EOF, returning everything received.
    private static func longPollUntilClosed(_ server: TestServer, path: String, from offset: String) async throws -> String {
        var offset = offset
        var received = ""
        for _ in 0..<100 {
            let response = try await server.request(.GET, "\(path)?offset=\(offset)&live=long-poll", timeout: .seconds(60))
            received += response.text
            offset = try #require(response.nextOffset)
            if response.header("Stream-Closed") == "true" { return received }
        }
        throw TestFailure("no EOF after 100 polls")
    }

    @Test func anAppendWakesOnlyItsOwnStreamsReaders() async throws {
        try await TestServer.with(.memory, configure: { $0.longPollTimeout = .seconds(60) }) { (server: TestServer) async throws in
            let store = try #require(server.store as? MemoryStreamStore)
            let paths = (0..<400).map { "many-\($0)-" + uniquePath() }
            var created: [String] = []
            for path in paths { created.append(try #require(try await server.createStream(path).nextOffset)) }
            let tails = created
            let polls = Task {
                try await withThrowingTaskGroup(of: (Int, HTTPResponseStatus).self) { group in
                    for (index, path) in paths.enumerated() {
                        group.addTask { (index, try await server.request(.GET, "\(path)?offset=\(tails[index])&live=long-poll", timeout: .seconds(60)).status) }
                    }
                    return try await group.reduce(into: [Int: HTTPResponseStatus]()) { $0[$1.0] = $1.1 }
                }
            }
            #expect(await eventually(within: 30) { paths.allSatisfy { store.waiterCount(path: $0) == 1 } })
            try await server.appendText(paths[7], "only seven")
            #expect(await eventually { store.waiterCount(path: paths[7]) == 0 && server.server.liveRequestCount == paths.count - 1 })
            // Every other stream still has its one waiter: nobody else was woken.
            #expect(paths.enumerated().allSatisfy { $0.offset == 7 || store.waiterCount(path: $0.element) == 1 })
            try await server.stop()
            let statuses = try await polls.value
            #expect(statuses[7] == .ok)
            #expect(statuses.filter { $0.key != 7 }.allSatisfy { $0.value == .noContent })
        }
    }

    @Test func aReaderThatStopsReadingIsBackPressuredAndOthersAreUnaffected() async throws {
        // The fast reader must receive all 24 MiB before its connection's lifetime ends, however slowly a loaded
        // machine streams them: a lifetime far beyond the default 60 s.
        try await TestServer.with(.memory, configure: { $0.sseConnectionLifetime = .seconds(600) }) { (server: TestServer) async throws in
            let path = uniquePath()
            let tail = try #require(try await server.createStream(path, contentType: "application/octet-stream").nextOffset)
            let slow = try RawSocket(port: server.port)
            try slow.send("GET \(server.urlPath(path))?offset=\(tail)&live=sse HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try await slow.receive().hasPrefix("HTTP/1.1 200"))
            let fast = try await SSEReader.open(server.url("\(path)?offset=\(tail)&live=sse"), timeout: .seconds(120))
            #expect(await eventually { server.server.liveRequestCount == 2 })
            let megabyte = ByteBuffer(bytes: (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 7) })
            let appends = 24
            var peakPending = 0
            for _ in 0..<appends {
                try await server.request(.POST, path, headers: [("Content-Type", "application/octet-stream")], body: megabyte)
                peakPending = max(peakPending, server.server.pendingLiveOutboundBytes)
            }
            try await server.request(.POST, path, headers: [("Stream-Closed", "true")])
            var decoded = 0
            let (events, ended) = try await fast.events()
            for event in events where event.event == "data" { decoded += Base64.decode(event.data)?.count ?? 0 }
            #expect(ended)
            #expect(decoded == appends << 20)
            // The slow reader holds at most about one base64-encoded read chunk in the server, not 24 MiB.
            let bound = 3 * (1 << 20)
            #expect(server.server.pendingLiveOutboundBytes <= bound)
            #expect(peakPending <= bound + (1 << 21))
            slow.close()
            #expect(await eventually { server.server.liveRequestCount == 0 && server.server.pendingLiveOutboundBytes == 0 })
        }
    }

    @Test func readersThatVanishReleaseEverything() async throws {
        try await TestServer.with(.memory, configure: { $0.longPollTimeout = .seconds(120) }) { (server: TestServer) async throws in
            let store = try #require(server.store as? MemoryStreamStore)
            let path = uniquePath()
            let tail = try #require(try await server.createStream(path).nextOffset)
            let count = 1000
            var sockets: [RawSocket] = []
            for index in 0..<count {
                let socket = try RawSocket(port: server.port)
                let mode = index.isMultiple(of: 2) ? "sse" : "long-poll"
                try socket.send("GET \(server.urlPath(path))?offset=\(tail)&live=\(mode) HTTP/1.1\r\nHost: x\r\n\r\n")
                sockets.append(socket)
            }
            #expect(await eventually(within: 30) { server.server.liveRequestCount == count && store.waiterCount(path: path) == count })
            for socket in sockets { socket.close() }
            #expect(await eventually(within: 30) { server.server.liveRequestCount == 0 && store.waiterCount(path: path) == 0 })
            // The stream still works for new readers.
            try await server.appendText(path, "after")
            #expect(try await server.request(.GET, "\(path)?offset=\(tail)").text == "after")
        }
    }
}
