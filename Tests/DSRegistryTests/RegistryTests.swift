import DSRegistry
import DSServer
import DSStore
import DSTestSupport
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// The registry stream kept by `createRegistryHooks`, read over real HTTP like any stream.
struct RegistryTests {
    /// Reads the registry and returns its change messages.
    private func changes(_ server: TestServer, registry: String = "__registry__") async throws -> [[String: Any]] {
        let response = try await server.request(.GET, registry)
        #expect(response.header("Content-Type") == "application/json")
        return try #require(try response.json() as? [[String: Any]])
    }

    /// Polls the registry until `count` messages are there.
    private func waitForChanges(_ server: TestServer, count: Int, registry: String = "__registry__") async throws -> [[String: Any]] {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            let current = try await changes(server, registry: registry)
            if current.count >= count { return current }
            try await Task.sleep(nanoseconds: 10_000_000)
        }
        return try await changes(server, registry: registry)
    }

    @Test(arguments: StoreKind.allCases)
    func createsAndDeletesBecomeChangeMessages(store: StoreKind) async throws {
        try await TestServer.with(store, configure: { $0.hooks = createRegistryHooks() }) { (server: TestServer) async throws in
            let path = "rooms/" + uniquePath()
            try await server.createStream(path, contentType: "text/plain")
            // Idempotent re-creation is not a new stream.
            #expect(try await server.request(.PUT, path, headers: [("Content-Type", "text/plain")]).status == .ok)
            #expect(try await server.request(.DELETE, path).status == .noContent)
            let messages = try await waitForChanges(server, count: 2)
            #expect(messages.count == 2)
            let insert = messages[0]
            #expect(insert["type"] as? String == "streams")
            #expect(insert["key"] as? String == path)
            let value = try #require(insert["value"] as? [String: Any])
            #expect(value["path"] as? String == path)
            #expect(value["contentType"] as? String == "text/plain")
            let createdAt = try #require(value["createdAt"] as? Int64)
            #expect(abs(createdAt - Int64(Date().timeIntervalSince1970 * 1000)) < 600_000)
            #expect((insert["headers"] as? [String: Any])?["operation"] as? String == "insert")
            let delete = messages[1]
            #expect(delete["type"] as? String == "streams")
            #expect(delete["key"] as? String == path)
            #expect(delete["value"] == nil)
            #expect((delete["headers"] as? [String: Any])?["operation"] as? String == "delete")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func expiriesAreRecordedAsDeletes(store: StoreKind) async throws {
        try await TestServer.with(store, configure: {
            $0.hooks = createRegistryHooks()
            $0.expirySweepInterval = .milliseconds(50)
        }) { (server: TestServer) async throws in
            let path = uniquePath()
            try await server.createStream(path, headers: [("Stream-TTL", "1")])
            let messages = try await waitForChanges(server, count: 2)
            #expect(messages.map { ($0["headers"] as? [String: Any])?["operation"] as? String } == ["insert", "delete"])
            #expect(messages.allSatisfy { $0["key"] as? String == path })
        }
    }

    @Test(arguments: StoreKind.allCases)
    func theRegistryDoesNotRegisterItselfAndCanBeMoved(store: StoreKind) async throws {
        try await TestServer.with(store, configure: { $0.hooks = createRegistryHooks(registryPath: "admin/streams") }) { (server: TestServer) async throws in
            #expect(try await changes(server, registry: "admin/streams").isEmpty)
            #expect(try await server.request(.GET, "__registry__").status == .notFound)
            let path = uniquePath()
            try await server.createStream(path)
            let messages = try await waitForChanges(server, count: 1, registry: "admin/streams")
            #expect(messages.count == 1)
            #expect(messages[0]["key"] as? String == path)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func eventsAppearInCompletionOrderAndCanBeTailed(store: StoreKind) async throws {
        try await TestServer.with(store, configure: { $0.hooks = createRegistryHooks() }) { (server: TestServer) async throws in
            let registryTail = try #require(try await server.request(.HEAD, "__registry__").nextOffset)
            async let poll = server.request(.GET, "__registry__?offset=\(registryTail)&live=long-poll", timeout: .seconds(20))
            let paths = (0..<10).map { "ordered-\($0)-" + uniquePath() }
            for path in paths { try await server.createStream(path) }
            let first = try await poll
            #expect(first.status == .ok)
            let messages = try await waitForChanges(server, count: 10)
            #expect(messages.compactMap { $0["key"] as? String } == paths)
        }
    }

    /// What replaying the registry says is live: path → creation time.
    private func replay(_ messages: [[String: Any]]) -> [String: Int64] {
        var live: [String: Int64] = [:]
        for message in messages {
            guard let key = message["key"] as? String else { continue }
            switch (message["headers"] as? [String: Any])?["operation"] as? String {
            case "insert": live[key] = (message["value"] as? [String: Any])?["createdAt"] as? Int64
            case "delete": live[key] = nil
            default: break
            }
        }
        return live
    }

    /// The registry survives restarts and is repaired on startup against the streams that exist. With the file
    /// store each restart closes the store and opens the same data directory again.
    @Test(arguments: StoreKind.allCases)
    func startupRepairsTheRegistryAgainstTheStore(store: StoreKind) async throws {
        let backing = try store.makeRestartableStore()
        // Streams created while no registry hook was running, e.g. a crash between a create and its event.
        let orphan = uniquePath("orphan")
        _ = try await backing.create(CreateStreamRequest(path: orphan, contentType: .init("text/plain")), on: TestEventLoop.any).get()
        let kept = uniquePath("kept")
        let keptCreatedAt = try await TestServer.with(store: backing, configure: { $0.hooks = createRegistryHooks() }) { (server: TestServer) async throws -> Int64 in
            let messages = try await changes(server)
            #expect(messages.count == 1)
            #expect(messages.first?["key"] as? String == orphan)
            try await server.createStream(kept)
            #expect(try await server.request(.DELETE, orphan).status == .noContent)
            let recorded = replay(try await waitForChanges(server, count: 3))
            #expect(Set(recorded.keys) == [kept])
            return try #require(recorded[kept])
        }

        // Restart. The registry now claims only `kept`; make it also claim a stream that does not exist (a crash
        // between a delete and its event), then restart again.
        try StoreKind.reopen(backing)
        let ghost = uniquePath("ghost")
        let insertGhost = #"{"type":"streams","key":"\#(ghost)","value":{"path":"\#(ghost)","contentType":"text/plain","createdAt":1},"headers":{"operation":"insert"}}"#
        _ = try await backing.append(
            AppendRequest(path: "__registry__", contentType: .init("application/json"), body: ByteBuffer(string: insertGhost)),
            on: TestEventLoop.any
        ).get()
        try await backing.close()
        try StoreKind.reopen(backing)

        try await TestServer.with(store: backing, configure: { $0.hooks = createRegistryHooks() }) { (server: TestServer) async throws in
            let messages = try await changes(server)
            let operations = messages.map { [$0["key"] as? String, ($0["headers"] as? [String: Any])?["operation"] as? String] }
            // Everything recorded before the restarts is still there, in order, and the ghost is repaired with a
            // delete; `kept` survived with its creation time, so it needs no new event.
            #expect(operations == [[orphan, "insert"], [kept, "insert"], [orphan, "delete"], [ghost, "insert"], [ghost, "delete"]])
            #expect(replay(messages) == [kept: keptCreatedAt])
            let live = try await server.store.list(now: .now(), on: TestEventLoop.any).get().map(\.path).filter { $0 != "__registry__" }
            #expect(live == [kept])
            #expect(try await server.request(.HEAD, kept).status == .ok)
        }
    }
}
