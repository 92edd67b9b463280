import DSProtocol
import DSSubscriptions
import DSTestSupport
import Foundation
import Testing

@Suite struct SubscriptionResourceTests {
    @Test(arguments: StoreKind.allCases)
    func createReconfirmConflictAndDelete(kind: StoreKind) async throws {
        try await SubscriptionHarness.with(kind) { h in
            let receiver = try await WebhookReceiver.start()
            defer { Task { try? await receiver.stop() } }
            let config: [String: Any] = [
                "type": "webhook", "pattern": "orders/*", "streams": ["audit/b", "audit/a", "audit/a"],
                "webhook": ["url": receiver.url], "description": "order processor",
            ]
            let created = try await h.putSubscription("sub-1", config)
            #expect(created.status == .created)
            #expect(created.header("Content-Type") == "application/json")
            let body = try h.object(created)
            #expect(body["id"] as? String == "sub-1")
            #expect(body["subscription_id"] as? String == "sub-1")
            #expect(body["type"] as? String == "webhook")
            #expect(body["pattern"] as? String == "orders/*")
            #expect(body["lease_ttl_ms"] as? Int == 30_000)
            #expect(body["status"] as? String == "active")
            #expect(body["description"] as? String == "order processor")
            #expect(body["wake_stream"] is NSNull)
            #expect(RFC3339.parseMilliseconds(body["created_at"] as? String ?? "") != nil)
            let streams = body["streams"] as? [[String: Any]] ?? []
            #expect(streams.map { $0["path"] as? String } == ["audit/a", "audit/b"])
            #expect(streams.allSatisfy { $0["link_type"] as? String == "explicit" })
            let webhook = body["webhook"] as? [String: Any] ?? [:]
            #expect(webhook["url"] as? String == receiver.url)
            let signing = webhook["signing"] as? [String: Any] ?? [:]
            #expect(signing["alg"] as? String == "ed25519")
            #expect((signing["kid"] as? String)?.hasPrefix("ds_") == true)
            #expect(signing["jwks_url"] as? String == h.server.url("__ds/jwks.json"))
            #expect(!created.text.lowercased().contains("secret"))

            // Same configuration (streams in another order, duplicates): re-confirmed.
            var reordered = config
            reordered["streams"] = ["audit/a", "audit/b"]
            #expect(try await h.putSubscription("sub-1", reordered).status == .ok)
            // Different configuration: conflict.
            var changed = config
            changed["description"] = "something else"
            let conflict = try await h.putSubscription("sub-1", changed)
            #expect(conflict.status == .conflict)
            #expect(h.errorCode(conflict) == "SUBSCRIPTION_EXISTS")

            #expect(try await h.call(.DELETE, "subscriptions/sub-1").status == .noContent)
            let missing = try await h.call(.GET, "subscriptions/sub-1")
            #expect(missing.status == .notFound)
            #expect(h.errorCode(missing) == "SUBSCRIPTION_NOT_FOUND")
            #expect(h.errorCode(try await h.call(.DELETE, "subscriptions/sub-1")) == "SUBSCRIPTION_NOT_FOUND")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func invalidRequests(kind: StoreKind) async throws {
        try await SubscriptionHarness.with(kind) { h in
            let bodies: [[String: Any]] = [
                [:],
                ["type": "carrier-pigeon", "streams": ["a"]],
                ["type": "pull-wake", "wake_stream": "w"],
                ["type": "pull-wake", "streams": ["a"]],
                ["type": "webhook", "streams": ["a"]],
                ["type": "pull-wake", "streams": ["a"], "wake_stream": "w", "lease_ttl_ms": 999],
                ["type": "pull-wake", "streams": ["a"], "wake_stream": "w", "lease_ttl_ms": 600_001],
                ["type": "pull-wake", "streams": ["__ds/x"], "wake_stream": "w"],
                ["type": "pull-wake", "pattern": "a/b*", "wake_stream": "w"],
            ]
            for body in bodies {
                let response = try await h.putSubscription("bad", body)
                #expect(response.status == .badRequest, "\(body)")
                #expect(h.errorCode(response) == "INVALID_REQUEST", "\(body)")
            }
            let notJSON = try await h.server.request(.PUT, "__ds/subscriptions/bad", text: "nope")
            #expect(h.errorCode(notJSON) == "INVALID_REQUEST")
            #expect(try await h.call(.GET, "nothing-here").status == .notFound)
            #expect(try await h.call(.PATCH, "subscriptions/x").status == .methodNotAllowed)
        }
    }

    /// PROTOCOL.md §6.2's own example body (a webhook subscription that also names a `wake_stream`) is
    /// accepted verbatim, echoed in the §6.3 shape, and re-confirmed by the identical body.
    @Test(arguments: StoreKind.allCases)
    func theSpecificationsExampleBodyIsAccepted(kind: StoreKind) async throws {
        // No linked stream exists, so nothing is pending and no webhook is ever sent to worker.example.
        try await SubscriptionHarness.with(kind, options: SubscriptionOptions(developmentMode: false)) { h in
            let example: [String: Any] = [
                "type": "webhook",
                "pattern": "events/*",
                "streams": ["events/manual-a", "events/manual-b"],
                "webhook": ["url": "https://worker.example/hooks"],
                "wake_stream": "wake/pool",
                "lease_ttl_ms": 30000,
                "description": "event processor",
            ]
            let id = uniquePath("sub")
            let created = try await h.putSubscription(id, example)
            #expect(created.status == .created, "\(created.text)")
            let body = try h.object(created)
            #expect(body["type"] as? String == "webhook")
            #expect(body["wake_stream"] as? String == "wake/pool")
            #expect((body["webhook"] as? [String: Any])?["url"] as? String == "https://worker.example/hooks")
            #expect((body["streams"] as? [[String: Any]])?.map { $0["path"] as? String } == ["events/manual-a", "events/manual-b"])
            #expect(try await h.putSubscription(id, example).status == .ok)
            var other = example
            other["wake_stream"] = "wake/other"
            #expect(try await h.putSubscription(id, other).status == .conflict)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func jwksEndpoint(kind: StoreKind) async throws {
        try await SubscriptionHarness.with(kind) { h in
            let response = try await h.call(.GET, "jwks.json")
            #expect(response.status == .ok)
            #expect(response.header("Content-Type") == "application/jwk-set+json")
            #expect(response.header("Cache-Control") == "public, max-age=300")
            let keys = try h.object(response)["keys"] as? [[String: Any]] ?? []
            #expect(keys.count == 1)
            let key = keys.first ?? [:]
            #expect(key["kty"] as? String == "OKP")
            #expect(key["crv"] as? String == "Ed25519")
            #expect(key["use"] as? String == "sig")
            #expect(key["alg"] as? String == "EdDSA")
            #expect((key["kid"] as? String)?.hasPrefix("ds_") == true)
            #expect(base64URLDecode(key["x"] as? String ?? "")?.count == 32)
            #expect(key["d"] == nil)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func patternBackfillsExistingStreamsAtTheirTail(kind: StoreKind) async throws {
        try await SubscriptionHarness.with(kind) { h in
            try await h.server.createStream("events/a", body: "history")
            try await h.server.createStream("events/b/deep")
            try await h.server.createStream("other/c", body: "x")
            let tail = try await h.tail("events/a")
            #expect(try await h.putSubscription("glob", ["type": "pull-wake", "pattern": "events/*", "wake_stream": "wake"]).status == .created)
            let link = try await h.link("glob", "events/a")
            #expect(link?["link_type"] as? String == "glob")
            #expect(link?["acked_offset"] as? String == tail)
            #expect(try await h.link("glob", "events/b/deep") == nil)
            #expect(try await h.link("glob", "other/c") == nil)

            try await h.putSubscription("deep", ["type": "pull-wake", "pattern": "events/**", "wake_stream": "wake"])
            #expect(try await h.link("deep", "events/b/deep") != nil)
            #expect(try await h.link("deep", "events/a") != nil)

            // A stream created later is linked as it appears, from its beginning.
            try await h.server.createStream("events/new")
            try await h.server.appendText("events/new", "fresh")
            try await waitUntil { try await h.link("glob", "events/new") != nil }
            #expect(try await h.ackedOffset("glob", "events/new") == StreamOffset.zero.description)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func explicitMembership(kind: StoreKind) async throws {
        try await SubscriptionHarness.with(kind) { h in
            try await h.server.createStream("jobs/a", body: "old")
            try await h.server.createStream("misc/x", body: "old data")
            try await h.putSubscription("m", ["type": "pull-wake", "pattern": "jobs/*", "wake_stream": "wake"])
            let tail = try await h.tail("misc/x")
            #expect(try await h.call(.POST, "subscriptions/m/streams", json: ["streams": ["misc/x", "jobs/a"]]).status == .noContent)
            #expect(try await h.call(.POST, "subscriptions/m/streams", json: ["streams": ["misc/x"]]).status == .noContent)
            #expect(try await h.link("m", "misc/x")?["link_type"] as? String == "explicit")
            #expect(try await h.ackedOffset("m", "misc/x") == tail)
            #expect(try await h.link("m", "jobs/a")?["link_type"] as? String == "explicit")

            // Removing the explicit link keeps the glob link; removing an unmatched one removes it.
            #expect(try await h.call(.DELETE, "subscriptions/m/streams/jobs%2Fa").status == .noContent)
            #expect(try await h.link("m", "jobs/a")?["link_type"] as? String == "glob")
            #expect(try await h.call(.DELETE, "subscriptions/m/streams/misc/x").status == .noContent)
            #expect(try await h.link("m", "misc/x") == nil)
            #expect(try await h.call(.DELETE, "subscriptions/m/streams/misc/x").status == .noContent)
            #expect(h.errorCode(try await h.call(.POST, "subscriptions/none/streams", json: ["streams": ["a"]])) == "SUBSCRIPTION_NOT_FOUND")
        }
    }
}

extension SubscriptionResourceTests {
    @Test(arguments: StoreKind.allCases)
    func deletedStreamsDropGlobLinksAndResetExplicitOnes(kind: StoreKind) async throws {
        try await SubscriptionHarness.with(kind) { h in
            try await h.server.createStream("logs/a", body: "a")
            try await h.server.createStream("pinned", body: "p")
            try await h.putSubscription("d", ["type": "pull-wake", "pattern": "logs/*", "streams": ["pinned"], "wake_stream": "wake"])
            #expect(try await h.ackedOffset("d", "pinned") == (try await h.tail("pinned")))
            #expect(try await h.server.request(.DELETE, "logs/a").status == .noContent)
            #expect(try await h.server.request(.DELETE, "pinned").status == .noContent)
            try await waitUntil { try await h.link("d", "logs/a") == nil }
            try await waitUntil { try await h.ackedOffset("d", "pinned") == StreamOffset.zero.description }
            #expect(try await h.link("d", "pinned")?["link_type"] as? String == "explicit")
        }
    }
}

/// Polls `condition` until it holds, for state the server changes asynchronously; fails after `timeout`.
func waitUntil(timeout: Duration = .seconds(15), _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    throw TestFailure("condition not met within \(timeout)")
}
