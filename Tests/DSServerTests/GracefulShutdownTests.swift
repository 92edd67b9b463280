@testable import DSServer
import DSStore
import DSTestSupport
import NIOCore
import NIOHTTP1
import Testing

/// `stop()` drains: readiness fails, waiting reads are answered, and an append already in flight finishes
/// and is acknowledged before connections are torn down and the store is closed.
struct GracefulShutdownTests {
    @Test func anInFlightAppendFinishesDuringTheDrain() async throws {
        let store = GatedStore()
        let server = try await TestServer.start(configure: {
            $0.store = store
            $0.shutdownTimeout = .seconds(30)
        })
        let path = uniquePath()
        try await server.createStream(path)
        store.closeGate()
        async let append = server.request(.POST, path, headers: [("Content-Type", "text/plain")], text: "last words", timeout: .seconds(30))
        #expect(await eventually { store.waitingAppends == 1 })
        #expect(server.server.inFlightRequestCount == 1)

        async let stopped: Void = server.stop()
        #expect(await eventually { server.server.handler.operations.isDraining })
        store.openGate()
        let response = try await append
        #expect(response.status == .noContent)
        #expect(response.header("Connection") == "close")
        try await stopped
        #expect(server.server.inFlightRequestCount == 0)
        // The appended bytes reached the store before it was closed.
        let read = try await store.inner.read(
            ReadRequest(path: path, start: .beginning, maxBytes: 1024, now: .now()), on: TestEventLoop.any
        ).get()
        #expect(read.chunks.reduce(0) { $0 + $1.readableBytes } == "last words".utf8.count)
    }

    @Test func waitingLongPollsAreAnsweredAtOnce() async throws {
        let server = try await TestServer.start(configure: {
            $0.longPollTimeout = .seconds(120)
            $0.shutdownTimeout = .seconds(60)
        })
        let path = uniquePath()
        let created = try await server.createStream(path)
        async let poll = server.request(.GET, "\(path)?offset=now&live=long-poll", timeout: .seconds(60))
        #expect(await eventually { server.server.liveRequestCount == 1 })
        try await server.stop()
        let response = try await poll
        #expect(response.status == .noContent)
        #expect(response.nextOffset == created.nextOffset)
    }
}
