import DSProtocol
import DSStore
import DSSubscriptions
import DSTestSupport
import Foundation
import Testing

/// Subscriptions, cursors, generations, retry schedules, tokens and the signing key survive a restart of
/// an embedded server that keeps the same subscription directory and the same streams.
@Suite struct PersistenceTests {
    private static func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ds-subscriptions-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test(arguments: StoreKind.allCases)
    func stateSurvivesRestart(kind: StoreKind) async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // The second server serves the same streams: the memory store keeps them through close(), the file
        // store is opened again on the same directory.
        let store = try kind.makeRestartableStore()
        let options = SubscriptionOptions(directory: directory, developmentMode: true)
        let receiver = try await WebhookReceiver.start()
        defer { Task { try? await receiver.stop() } }
        receiver.setFallback(.failure)

        struct Before: Sendable {
            var kid: String
            var tail: String
            var token: String
            var wakeID: String
        }
        let folder = uniquePath("events")
        let events = folder + "/a"
        let hooked = uniquePath("hooked")
        let before = try await SubscriptionHarness.with(kind, options: options, store: store) { h in
            try await h.server.createStream("wake", contentType: "application/json")
            try await h.server.createStream(events)
            try await h.server.createStream(hooked)
            let pw = ["type": "pull-wake", "pattern": folder + "/*", "wake_stream": "wake", "lease_ttl_ms": 600_000] as [String: Any]
            #expect(try await h.putSubscription("pw", pw).status == .created)
            #expect(try await h.putSubscription("hook", ["type": "webhook", "streams": [hooked], "webhook": ["url": receiver.url]]).status == .created)
            try await h.server.appendText(events, "first")
            let tail = try await h.tail(events)
            _ = try await h.waitForMessages("wake", after: "-1")
            let claim = try h.object(try await h.call(.POST, "subscriptions/pw/claim", json: ["worker": "w"]))
            let token = try #require(claim["token"] as? String)
            let wakeID = try #require(claim["wake_id"] as? String)
            let ack = try await h.call(.POST, "subscriptions/pw/ack", json: ["wake_id": wakeID, "generation": 1, "acks": [["stream": events, "offset": tail]]], token: token)
            #expect(ack.status == .ok)

            try await h.server.appendText(hooked, "payload")
            _ = try await receiver.requests.next(timeout: .seconds(15), "the first attempt")
            try await waitUntil { try await h.subscription("hook")["status"] as? String == "failed" }
            let kid = try #require(((try h.object(try await h.call(.GET, "jwks.json"))["keys"] as? [[String: Any]])?.first)?["kid"] as? String)
            return Before(kid: kid, tail: tail, token: token, wakeID: wakeID)
        }
        #expect(FileManager.default.fileExists(atPath: directory + "/subscriptions.json"))
        // The retry schedule as persisted when the first server stopped (it sends nothing after that).
        let saved = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: directory + "/subscriptions.json"))) as? [String: Any]
        let hook = (saved?["subscriptions"] as? [String: Any])?["hook"] as? [String: Any]
        let nextAttemptAt = try #require((hook?["retry"] as? [String: Any])?["nextAttemptAt"] as? Int64)
        let restartedAt = Int64(Date().timeIntervalSince1970 * 1000)
        let keyMode = try FileManager.default.attributesOfItem(atPath: directory + "/signing-key.json")[.posixPermissions] as? Int
        #expect(keyMode == 0o600)

        try StoreKind.reopen(store)
        try await SubscriptionHarness.with(kind, options: options, store: store) { h in
            // Same key, same subscriptions, cursor and generation.
            let kid = ((try h.object(try await h.call(.GET, "jwks.json"))["keys"] as? [[String: Any]])?.first)?["kid"] as? String
            #expect(kid == before.kid)
            let pw = try await h.subscription("pw")
            #expect(pw["generation"] as? Int == 1)
            #expect(try await h.ackedOffset("pw", events) == before.tail)
            // The claim's lease and token are still valid: finish the wake.
            let done = try await h.call(.POST, "subscriptions/pw/ack", json: ["wake_id": before.wakeID, "generation": 1, "done": true], token: before.token)
            #expect(done.status == .ok)

            // The webhook retry keeps its schedule: the next attempt comes no earlier than planned.
            receiver.setFallback(.done)
            // The schedule may be a backoff of many seconds away when the first server ran long on a loaded machine.
            let wait = Duration.milliseconds(max(0, nextAttemptAt - Int64(Date().timeIntervalSince1970 * 1000))) + .seconds(30)
            var retried = try await receiver.requests.next(timeout: wait, "the retry after restart")
            while retried.arrivedAt < restartedAt {
                retried = try await receiver.requests.next(timeout: wait, "the retry after restart")
            }
            #expect(retried.arrivedAt >= nextAttemptAt)
            try await waitUntil { try await h.subscription("hook")["status"] as? String == "active" }
        }
    }
}
