import DSProtocol
import DSTestSupport
import Foundation
import Testing

@Suite struct PullWakeTests {
    /// Creates a JSON wake stream and an events stream, and a pull-wake subscription on the events stream.
    private func setUp(_ h: SubscriptionHarness, id: String, lease: Int = 30_000) async throws -> (events: String, wake: String) {
        let events = uniquePath("events")
        let wake = uniquePath("wake")
        try await h.server.createStream(wake, contentType: "application/json")
        try await h.server.createStream(events)
        let created = try await h.putSubscription(id, ["type": "pull-wake", "streams": [events], "wake_stream": wake, "lease_ttl_ms": lease])
        #expect(created.status == .created)
        return (events, wake)
    }

    @Test(arguments: StoreKind.allCases)
    func claimAckRelease(kind: StoreKind) async throws {
        try await SubscriptionHarness.with(kind) { h in
            let (events, wake) = try await setUp(h, id: "pw")
            try await h.server.appendText(events, "one")
            let tail = try await h.tail(events)
            let (messages, wakeOffset) = try await h.waitForMessages(wake, after: "-1")
            #expect(messages.count == 1)
            let event = messages[0]
            #expect(event["type"] as? String == "wake")
            #expect(event["subscription_id"] as? String == "pw")
            #expect(event["stream"] as? String == events)
            #expect(event["generation"] as? Int == 1)
            #expect(event["ts"] as? Int != nil)

            let claim = try await h.call(.POST, "subscriptions/pw/claim", json: ["worker": "w1"])
            #expect(claim.status == .ok)
            let claimed = try h.object(claim)
            let token = try #require(claimed["token"] as? String)
            let wakeID = try #require(claimed["wake_id"] as? String)
            #expect(claimed["generation"] as? Int == 1)
            #expect(claimed["lease_ttl_ms"] as? Int == 30_000)
            let stream = (claimed["streams"] as? [[String: Any]])?.first ?? [:]
            #expect(stream["path"] as? String == events)
            #expect(stream["tail_offset"] as? String == tail)
            #expect(stream["has_pending"] as? Bool == true)
            #expect(stream["acked_offset"] as? String == StreamOffset.zero.description)

            // A second worker is refused while the lease is held.
            let second = try await h.call(.POST, "subscriptions/pw/claim", json: ["worker": "w2"])
            #expect(second.status == .conflict)
            let error = try h.object(second)["error"] as? [String: Any] ?? [:]
            #expect(error["code"] as? String == "ALREADY_CLAIMED")
            #expect(error["current_holder"] as? String == "w1")
            #expect(error["generation"] as? Int == 1)

            // Heartbeat, then wrong wake ids, generations and tokens are fenced or refused.
            let heartbeat = try await h.call(.POST, "subscriptions/pw/ack", json: ["wake_id": wakeID, "generation": 1], token: token)
            #expect(heartbeat.status == .ok)
            #expect(try h.object(heartbeat)["next_wake"] as? Bool == false)
            let wrongWake = try await h.call(.POST, "subscriptions/pw/ack", json: ["wake_id": "w_other", "generation": 1], token: token)
            #expect(wrongWake.status == .conflict)
            #expect(h.errorCode(wrongWake) == "FENCED")
            #expect(h.errorCode(try await h.call(.POST, "subscriptions/pw/ack", json: ["wake_id": wakeID, "generation": 2], token: token)) == "FENCED")
            let forged = try await h.call(.POST, "subscriptions/pw/ack", json: ["wake_id": wakeID, "generation": 1], token: token + "x")
            #expect(forged.status == .unauthorized)
            #expect(h.errorCode(forged) == "TOKEN_INVALID")
            #expect(h.errorCode(try await h.call(.POST, "subscriptions/pw/ack", json: ["wake_id": wakeID, "generation": 1])) == "TOKEN_INVALID")

            // An ack past the stream's tail is refused and changes nothing.
            let beyond = StreamOffset(tail)!.advanced(by: 1).description
            let tooFar = try await h.call(.POST, "subscriptions/pw/ack", json: ["wake_id": wakeID, "generation": 1, "acks": [["stream": events, "offset": beyond]]], token: token)
            #expect(tooFar.status == .badRequest)
            #expect(h.errorCode(tooFar) == "INVALID_REQUEST")
            #expect(try await h.ackedOffset("pw", events) == StreamOffset.zero.description)

            // Done with the ack: cursor moves, nothing pending, no next wake.
            let done = try await h.call(
                .POST, "subscriptions/pw/ack",
                json: ["wake_id": wakeID, "generation": 1, "acks": [["stream": events, "offset": tail]], "done": true], token: token
            )
            #expect(done.status == .ok)
            #expect(try h.object(done)["ok"] as? Bool == true)
            #expect(try h.object(done)["next_wake"] as? Bool == false)
            #expect(try await h.ackedOffset("pw", events) == tail)
            // Replaying the finished ack is fenced and does not move anything.
            let replay = try await h.call(.POST, "subscriptions/pw/ack", json: ["wake_id": wakeID, "generation": 1, "done": true], token: token)
            #expect(h.errorCode(replay) == "FENCED")

            // New data: a new wake generation; release without acking wakes again.
            try await h.server.appendText(events, "two")
            let (second2, wakeOffset2) = try await h.waitForMessages(wake, after: wakeOffset)
            #expect(second2.first?["generation"] as? Int == 2)
            let claim2 = try h.object(try await h.call(.POST, "subscriptions/pw/claim", json: ["worker": "w2"]))
            let token2 = try #require(claim2["token"] as? String)
            let wake2 = try #require(claim2["wake_id"] as? String)
            #expect(h.errorCode(try await h.call(.POST, "subscriptions/pw/release", json: ["wake_id": wakeID, "generation": 1], token: token)) == "FENCED")
            let release = try await h.call(.POST, "subscriptions/pw/release", json: ["wake_id": wake2, "generation": 2], token: token2)
            #expect(release.status == .noContent)
            let (third, _) = try await h.waitForMessages(wake, after: wakeOffset2)
            #expect(third.first?["generation"] as? Int == 3)
            #expect(try await h.ackedOffset("pw", events) == tail)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func expiredLeaseClearsHolderAndWakesAgain(kind: StoreKind) async throws {
        try await SubscriptionHarness.with(kind) { h in
            let (events, wake) = try await setUp(h, id: "lease", lease: 1_000)
            try await h.server.appendText(events, "work")
            let (_, offset) = try await h.waitForMessages(wake, after: "-1")
            let claim = try h.object(try await h.call(.POST, "subscriptions/lease/claim", json: ["worker": "slow"]))
            let token = try #require(claim["token"] as? String)
            let wakeID = try #require(claim["wake_id"] as? String)
            // The worker goes silent: the lease expires and the pending work is woken again.
            let (again, _) = try await h.waitForMessages(wake, after: offset)
            #expect(again.first?["generation"] as? Int == 2)
            let late = try await h.call(.POST, "subscriptions/lease/ack", json: ["wake_id": wakeID, "generation": 1, "done": true], token: token)
            #expect(h.errorCode(late) == "FENCED")
            let next = try await h.call(.POST, "subscriptions/lease/claim", json: ["worker": "fast"])
            #expect(next.status == .ok)
            #expect(try h.object(next)["generation"] as? Int == 2)
            #expect(try await h.ackedOffset("lease", events) == StreamOffset.zero.description)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func deletedSubscriptionRefusesAcksWithoutMovingCursors(kind: StoreKind) async throws {
        try await SubscriptionHarness.with(kind) { h in
            let (events, wake) = try await setUp(h, id: "gone")
            try await h.server.appendText(events, "x")
            _ = try await h.waitForMessages(wake, after: "-1")
            let claim = try h.object(try await h.call(.POST, "subscriptions/gone/claim", json: ["worker": "w"]))
            let token = try #require(claim["token"] as? String)
            let wakeID = try #require(claim["wake_id"] as? String)
            #expect(try await h.call(.DELETE, "subscriptions/gone").status == .noContent)
            let ack = try await h.call(
                .POST, "subscriptions/gone/ack",
                json: ["wake_id": wakeID, "generation": 1, "acks": [["stream": events, "offset": try await h.tail(events)]], "done": true], token: token
            )
            #expect(ack.status == .notFound)
            #expect(h.errorCode(ack) == "SUBSCRIPTION_NOT_FOUND")
            // Re-created with the same id: the old token belongs to another incarnation.
            try await h.putSubscription("gone", ["type": "pull-wake", "streams": [events], "wake_stream": wake])
            let replay = try await h.call(.POST, "subscriptions/gone/ack", json: ["wake_id": wakeID, "generation": 1, "done": true], token: token)
            #expect(h.errorCode(replay) == "FENCED")
            #expect(try await h.ackedOffset("gone", events) == (try await h.tail(events)))
        }
    }
}
