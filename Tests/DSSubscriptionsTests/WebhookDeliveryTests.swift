import DSProtocol
import DSTestSupport
import Foundation
import Testing

@Suite struct WebhookDeliveryTests {
    private func setUp(_ h: SubscriptionHarness, _ receiver: WebhookReceiver, id: String, lease: Int = 30_000) async throws -> String {
        let events = uniquePath("events")
        try await h.server.createStream(events)
        let created = try await h.putSubscription(id, ["type": "webhook", "streams": [events], "webhook": ["url": receiver.url], "lease_ttl_ms": lease])
        #expect(created.status == .created)
        return events
    }

    @Test(arguments: StoreKind.allCases)
    func synchronousDoneAcksTheSnapshot(kind: StoreKind) async throws {
        let receiver = try await WebhookReceiver.start()
        defer { Task { try? await receiver.stop() } }
        try await SubscriptionHarness.with(kind) { h in
            let events = try await setUp(h, receiver, id: "sync")
            receiver.setFallback(.done)
            try await h.server.appendText(events, "hello")
            let tail = try await h.tail(events)
            let received = try await receiver.requests.next(timeout: .seconds(15), "the webhook")
            let kid = try await h.verifySignature(received)
            let signing = (try await h.subscription("sync")["webhook"] as? [String: Any])?["signing"] as? [String: Any]
            #expect(signing?["kid"] as? String == kid)
            #expect(received.headers.first(name: "Content-Type") == "application/json")
            let body = try received.json()
            #expect(body["subscription_id"] as? String == "sync")
            #expect((body["wake_id"] as? String)?.isEmpty == false)
            #expect(body["generation"] as? Int == 1)
            #expect(body["callback_url"] as? String == h.server.url("__ds/subscriptions/sync/callback"))
            #expect((body["callback_token"] as? String)?.isEmpty == false)
            let stream = (body["streams"] as? [[String: Any]])?.first ?? [:]
            #expect(stream["path"] as? String == events)
            #expect(stream["link_type"] as? String == "explicit")
            #expect(stream["acked_offset"] as? String == StreamOffset.zero.description)
            #expect(stream["tail_offset"] as? String == tail)
            #expect(stream["has_pending"] as? Bool == true)

            // `{ "done": true }` acks the snapshot's tails.
            try await waitUntil { try await h.ackedOffset("sync", events) == tail }
            #expect(try await h.subscription("sync")["status"] as? String == "active")

            // More data: woken again with the next generation, from the new cursor.
            try await h.server.appendText(events, "again")
            let next = try await receiver.requests.next(timeout: .seconds(15), "the second webhook").json()
            #expect(next["generation"] as? Int == 2)
            #expect(((next["streams"] as? [[String: Any]])?.first?["acked_offset"]) as? String == tail)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func asynchronousCallbackWithFencing(kind: StoreKind) async throws {
        let receiver = try await WebhookReceiver.start()
        defer { Task { try? await receiver.stop() } }
        try await SubscriptionHarness.with(kind) { h in
            let events = try await setUp(h, receiver, id: "async")
            receiver.setFallback(.accepted)
            try await h.server.appendText(events, "job")
            let tail = try await h.tail(events)
            let received = try await receiver.requests.next(timeout: .seconds(15), "the webhook")
            _ = try await h.verifySignature(received)
            let body = try received.json()
            let token = try #require(body["callback_token"] as? String)
            let wakeID = try #require(body["wake_id"] as? String)
            let callback = "subscriptions/async/callback"

            // Stale wake id or generation, bad tokens.
            #expect(h.errorCode(try await h.call(.POST, callback, json: ["wake_id": "w_nope", "generation": 1, "done": true], token: token)) == "FENCED")
            #expect(h.errorCode(try await h.call(.POST, callback, json: ["wake_id": wakeID, "generation": 0, "done": true], token: token)) == "FENCED")
            #expect(h.errorCode(try await h.call(.POST, callback, json: ["wake_id": wakeID, "generation": 1], token: "abc.def")) == "TOKEN_INVALID")
            #expect(try await h.ackedOffset("async", events) == StreamOffset.zero.description)
            // The callback token works on the callback path only: release and ack are pull-wake endpoints,
            // and refusing them leaves the wake in place (the callback below still completes it).
            let release = try await h.call(.POST, "subscriptions/async/release", json: ["wake_id": wakeID, "generation": 1], token: token)
            #expect(release.status == .badRequest)
            #expect(h.errorCode(release) == "INVALID_REQUEST")
            #expect(h.errorCode(try await h.call(.POST, "subscriptions/async/ack", json: ["wake_id": wakeID, "generation": 1], token: token)) == "INVALID_REQUEST")

            // Heartbeat (no done), then done with acks.
            let heartbeat = try await h.call(.POST, callback, json: ["wake_id": wakeID, "generation": 1], token: token)
            #expect(heartbeat.status == .ok)
            let done = try await h.call(
                .POST, callback, json: ["wake_id": wakeID, "generation": 1, "acks": [["stream": events, "offset": tail]], "done": true], token: token
            )
            #expect(done.status == .ok)
            let reply = try h.object(done)
            #expect(reply["ok"] as? Bool == true)
            #expect(reply["next_wake"] as? Bool == false)
            #expect(try await h.ackedOffset("async", events) == tail)
            // Replay is fenced.
            let replay = try await h.call(.POST, callback, json: ["wake_id": wakeID, "generation": 1, "done": true], token: token)
            #expect(replay.status == .conflict)
            #expect(h.errorCode(replay) == "FENCED")

            // The next wake has a new generation; the old token cannot act on it.
            try await h.server.appendText(events, "more")
            let second = try await receiver.requests.next(timeout: .seconds(15), "the second webhook").json()
            #expect(second["generation"] as? Int == 2)
            let wake2 = try #require(second["wake_id"] as? String)
            #expect(h.errorCode(try await h.call(.POST, callback, json: ["wake_id": wake2, "generation": 2, "done": true], token: token)) == "FENCED")

            // Deleting the subscription makes the in-flight callback fail without moving the cursor.
            #expect(try await h.call(.DELETE, "subscriptions/async").status == .noContent)
            let token2 = try #require(second["callback_token"] as? String)
            let late = try await h.call(
                .POST, callback,
                json: ["wake_id": wake2, "generation": 2, "acks": [["stream": events, "offset": try await h.tail(events)]], "done": true], token: token2
            )
            #expect(late.status == .notFound)
            #expect(h.errorCode(late) == "SUBSCRIPTION_NOT_FOUND")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func failedDeliveryIsRetriedWithBackoff(kind: StoreKind) async throws {
        let receiver = try await WebhookReceiver.start()
        defer { Task { try? await receiver.stop() } }
        try await SubscriptionHarness.with(kind) { h in
            let events = try await setUp(h, receiver, id: "retry")
            // The retry's answer is held until the failure has been seen: the subscription stays `failed`
            // until then, however slowly the polls below run on a loaded machine.
            receiver.enqueue(.failure, .heldDone)
            try await h.server.appendText(events, "payload")
            let tail = try await h.tail(events)
            let first = try await receiver.requests.next(timeout: .seconds(15), "the first attempt").json()
            // While the retry is scheduled or in flight the subscription reports `failed` and the schedule.
            // Only the first attempt fails, so every `failed` view shows exactly that one failure.
            var failed: [String: Any] = [:]
            try await waitUntil {
                failed = try await h.subscription("retry")
                return failed["status"] as? String == "failed"
            }
            let retry = failed["retry"] as? [String: Any] ?? [:]
            #expect(retry["attempts"] as? Int == 1)
            #expect(retry["last_error"] as? String == "HTTP 500")
            #expect(RFC3339.parseMilliseconds(retry["next_attempt_at"] as? String ?? "") != nil)
            #expect((failed["streams"] as? [[String: Any]])?.first?["acked_offset"] as? String == StreamOffset.zero.description)
            // The retry is a new wake generation with the same pending data, and `done` clears the failure.
            let second = try await receiver.requests.next(timeout: .seconds(15), "the retry").json()
            #expect(second["generation"] as? Int == (first["generation"] as? Int ?? 0) + 1)
            #expect(try await h.subscription("retry")["status"] as? String == "failed")
            receiver.releaseHeld()
            try await waitUntil { try await h.ackedOffset("retry", events) == tail }
            #expect(try await h.subscription("retry")["status"] as? String == "active")
            #expect(try await h.subscription("retry")["retry"] == nil)
        }
    }
}
