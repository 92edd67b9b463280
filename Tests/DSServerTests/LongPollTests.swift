@testable import DSStore
import DSTestSupport
import NIOCore
import NIOHTTP1
import Testing

/// Long-poll reads (PROTOCOL.md §5.7, §8, §10.1).
struct LongPollTests {
    @Test(arguments: StoreKind.allCases)
    func timesOutWith204AndTheProtocolHeaders(store: StoreKind) async throws {
        try await TestServer.with(store, configure: { $0.longPollTimeout = .milliseconds(300) }) { (server: TestServer) async throws in
            let path = uniquePath()
            let created = try await server.createStream(path, body: "abc")
            let response = try await server.request(.GET, "\(path)?offset=\(created.nextOffset!)&live=long-poll")
            #expect(response.status == .noContent)
            #expect(response.nextOffset == created.nextOffset)
            #expect(response.header("Stream-Up-To-Date") == "true")
            #expect(response.header("Stream-Cursor") != nil)
            #expect(response.header("Stream-Closed") == nil)
            // §10.1: a 204 must not be cached (Docs/PROTOCOL-NOTES.md: no-store).
            #expect(response.header("Cache-Control") == "no-store")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func existingDataAnswersAtOnceWithACursor(store: StoreKind) async throws {
        try await TestServer.with(store) { (server: TestServer) async throws in
            let path = uniquePath()
            try await server.createStream(path, body: "abc")
            let response = try await server.request(.GET, "\(path)?offset=-1&live=long-poll", timeout: .seconds(20))
            #expect(response.status == .ok)
            #expect(response.text == "abc")
            #expect(response.header("Stream-Cursor") != nil)
            #expect(response.header("ETag") != nil)
            // §10.1: a long-poll 200 is cacheable like a catch-up read.
            #expect(response.header("Cache-Control") == "public, max-age=60, stale-while-revalidate=300")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aWaitingReaderReceivesTheNextAppend(store: StoreKind) async throws {
        try await TestServer.with(store) { (server: TestServer) async throws in
            let path = uniquePath()
            let created = try await server.createStream(path, body: "old")
            async let poll = server.request(.GET, "\(path)?offset=now&live=long-poll", timeout: .seconds(20))
            #expect(await eventually { server.server.liveRequestCount == 1 })
            let appended = try await server.appendText(path, "new")
            let response = try await poll
            #expect(response.status == .ok)
            #expect(response.text == "new")
            #expect(response.nextOffset == appended.nextOffset)
            #expect(response.nextOffset != created.nextOffset)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func closedStreamAtItsTailAnswersAtOnce(store: StoreKind) async throws {
        try await TestServer.with(store, configure: { $0.longPollTimeout = .seconds(60) }) { (server: TestServer) async throws in
            let path = uniquePath()
            let created = try await server.request(.PUT, path, headers: [("Content-Type", "text/plain"), ("Stream-Closed", "true")], text: "x")
            for offset in [created.nextOffset!, "now"] {
                let response = try await server.request(.GET, "\(path)?offset=\(offset)&live=long-poll", timeout: .seconds(20))
                #expect(response.status == .noContent)
                #expect(response.header("Stream-Closed") == "true")
                #expect(response.header("Stream-Up-To-Date") == "true")
                #expect(response.nextOffset == created.nextOffset)
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func closingWakesWaitersWithEOF(store: StoreKind) async throws {
        try await TestServer.with(store) { (server: TestServer) async throws in
            let path = uniquePath()
            let created = try await server.createStream(path)
            async let poll = server.request(.GET, "\(path)?offset=\(created.nextOffset!)&live=long-poll", timeout: .seconds(20))
            #expect(await eventually { server.server.liveRequestCount == 1 })
            try await server.request(.POST, path, headers: [("Stream-Closed", "true")])
            let response = try await poll
            #expect(response.status == .noContent)
            #expect(response.header("Stream-Closed") == "true")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func cursorsNeverGoBackwards(store: StoreKind) async throws {
        try await TestServer.with(store, configure: { $0.longPollTimeout = .milliseconds(100) }) { (server: TestServer) async throws in
            let path = uniquePath()
            let created = try await server.createStream(path)
            let first = try await server.request(.GET, "\(path)?offset=\(created.nextOffset!)&live=long-poll")
            let cursor = try #require(first.header("Stream-Cursor").flatMap { Int($0) })
            let second = try await server.request(.GET, "\(path)?offset=\(created.nextOffset!)&live=long-poll&cursor=\(cursor)")
            let next = try #require(second.header("Stream-Cursor").flatMap { Int($0) })
            #expect(next > cursor)
            #expect(next - cursor <= 3600 / 20 + 1)
            let future = try await server.request(.GET, "\(path)?offset=\(created.nextOffset!)&live=long-poll&cursor=\(cursor + 10_000)")
            #expect(try #require(future.header("Stream-Cursor").flatMap { Int($0) }) > cursor + 10_000)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aHangUpReleasesTheWaiterAtOnce(store kind: StoreKind) async throws {
        try await TestServer.with(kind, configure: { $0.longPollTimeout = .seconds(60) }) { (server: TestServer) async throws in
            let path = uniquePath()
            let created = try await server.createStream(path)
            // The memory store can count its waiters; for any store the server's live-request count must drop.
            let memory = server.store as? MemoryStreamStore
            let socket = try RawSocket(port: server.port)
            defer { socket.close() }
            try socket.send("GET \(server.urlPath(path))?offset=\(created.nextOffset!)&live=long-poll HTTP/1.1\r\nHost: x\r\n\r\n")
            // Hang up only once the server registered the waiter.
            #expect(await eventually { server.server.liveRequestCount == 1 && (memory?.waiterCount(path: path) ?? 1) == 1 })
            socket.close()
            #expect(await eventually { server.server.liveRequestCount == 0 && (memory?.waiterCount(path: path) ?? 0) == 0 })
            // The released waiter left nothing behind that could swallow the next append's wake-up.
            async let poll = server.request(.GET, "\(path)?offset=\(created.nextOffset!)&live=long-poll", timeout: .seconds(30))
            #expect(await eventually { server.server.liveRequestCount == 1 })
            try await server.appendText(path, "after")
            #expect(try await poll.text == "after")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func gracefulStopAnswersEveryWaiter(store: StoreKind) async throws {
        let server = try await TestServer.start(store) { $0.longPollTimeout = .seconds(60) }
        let path = uniquePath()
        let created = try await server.createStream(path)
        let url = "\(path)?offset=\(created.nextOffset!)&live=long-poll"
        async let polls = withThrowingTaskGroup(of: HTTPResponseStatus.self) { group in
            for _ in 0..<5 { group.addTask { try await server.request(.GET, url, timeout: .seconds(20)).status } }
            return try await group.reduce(into: [HTTPResponseStatus]()) { $0.append($1) }
        }
        #expect(await eventually { server.server.liveRequestCount == 5 })
        try await server.stop()
        let statuses = try await polls
        #expect(statuses == Array(repeating: .noContent, count: 5))
    }
}
