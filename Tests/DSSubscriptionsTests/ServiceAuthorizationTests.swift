import DSProtocol
import DSServer
import DSTestSupport
import Foundation
import NIOCore
import Testing

/// With an authoriser on the server, managing and reading subscriptions and claiming wakes need a service
/// credential (PROTOCOL.md §7.2: `Authorization: Bearer <service-jwt>` on claim), while callbacks, acks
/// and releases are authenticated by their wake tokens alone and the JWKS stays public. Deliveries and
/// refusals show up in the server's metrics.
@Suite struct ServiceAuthorizationTests {
    private static let grants: [BearerTokenAuthorizer.Grant] = [
        .fullAccess(token: "admin-secret", name: "admin"),
        BearerTokenAuthorizer.Grant(name: "worker", token: "worker-secret", read: [""], subscriptions: [.read, .claim]),
        BearerTokenAuthorizer.Grant(name: "reader", token: "reader-secret", read: [""]),
    ]

    /// Gives the server the bearer-token authoriser and its own Prometheus registry, served at `/metrics`.
    private static func configure(_ options: inout ServerOptions) {
        options.authorizer = BearerTokenAuthorizer(grants: grants)
        options.useOwnPrometheusRegistry()
    }

    private static func scrape(_ h: SubscriptionHarness) async throws -> MetricsScrape {
        try await MetricsScrape.scrape(h.server, headers: [("Authorization", "Bearer admin-secret")])
    }

    @Test(arguments: StoreKind.allCases)
    func claimAndManagementNeedAServiceCredential(kind: StoreKind) async throws {
        try await SubscriptionHarness.with(kind, configure: Self.configure) { h in
            let admin = [("Authorization", "Bearer admin-secret")]
            let events = uniquePath("events")
            let wake = uniquePath("wake")
            try await h.server.createStream(wake, contentType: "application/json", headers: admin)
            try await h.server.createStream(events, headers: admin)
            let config: [String: Any] = ["type": "pull-wake", "streams": [events], "wake_stream": wake]

            // Creating: no credential → 401 with a challenge; a token without the scope → 403; admin → 201.
            let anonymous = try await h.putSubscription("guarded", config)
            #expect(anonymous.status == .unauthorized)
            #expect(h.errorCode(anonymous) == "UNAUTHORIZED")
            #expect(anonymous.header("WWW-Authenticate") == #"Bearer realm="durable-streams""#)
            let unknown = try await h.call(.PUT, "subscriptions/guarded", json: config, token: "nobody")
            #expect(unknown.status == .unauthorized)
            #expect(unknown.header("WWW-Authenticate") == #"Bearer realm="durable-streams", error="invalid_token""#)
            let reader = try await h.call(.PUT, "subscriptions/guarded", json: config, token: "reader-secret")
            #expect(reader.status == .forbidden)
            #expect(h.errorCode(reader) == "FORBIDDEN")
            #expect(reader.header("WWW-Authenticate") == #"Bearer realm="durable-streams", error="insufficient_scope""#)
            #expect(try await h.call(.PUT, "subscriptions/guarded", json: config, token: "worker-secret").status == .forbidden)
            #expect(try await h.call(.GET, "subscriptions/guarded", token: "admin-secret").status == .notFound)
            #expect(try await h.call(.PUT, "subscriptions/guarded", json: config, token: "admin-secret").status == .created)

            // Reading needs the read scope; membership changes and deletion need manage.
            #expect(try await h.call(.GET, "subscriptions/guarded").status == .unauthorized)
            #expect(try await h.call(.GET, "subscriptions/guarded", token: "reader-secret").status == .forbidden)
            #expect(try await h.call(.GET, "subscriptions/guarded", token: "worker-secret").status == .ok)
            #expect(try await h.call(.POST, "subscriptions/guarded/streams", json: ["streams": [events]], token: "worker-secret").status == .forbidden)
            #expect(try await h.call(.DELETE, "subscriptions/guarded/streams/\(events)", token: "worker-secret").status == .forbidden)
            #expect(try await h.call(.DELETE, "subscriptions/guarded", token: "worker-secret").status == .forbidden)
            #expect(try await h.call(.POST, "subscriptions/guarded/streams", json: ["streams": [events]], token: "admin-secret").status == .noContent)

            // The signing keys are public: receivers fetch them without credentials.
            #expect(try await h.call(.GET, "jwks.json").status == .ok)

            // Claiming needs the claim scope.
            try await h.server.appendText(events, "work", headers: admin)
            _ = try await waitForWake(h, wake, headers: admin)
            #expect(try await h.call(.POST, "subscriptions/guarded/claim", json: ["worker": "w"]).status == .unauthorized)
            #expect(try await h.call(.POST, "subscriptions/guarded/claim", json: ["worker": "w"], token: "reader-secret").status == .forbidden)
            let claim = try await h.call(.POST, "subscriptions/guarded/claim", json: ["worker": "w"], token: "worker-secret")
            #expect(claim.status == .ok)
            let claimed = try h.object(claim)
            let token = try #require(claimed["token"] as? String)
            let wakeID = try #require(claimed["wake_id"] as? String)
            let generation = try #require(claimed["generation"] as? Int)

            // Ack and release carry the claim token in Authorization, not a service credential, and work.
            let heartbeat = try await h.call(.POST, "subscriptions/guarded/ack", json: ["wake_id": wakeID, "generation": generation], token: token)
            #expect(heartbeat.status == .ok)
            // A service token is no wake token.
            let wrongKind = try await h.call(.POST, "subscriptions/guarded/ack", json: ["wake_id": wakeID, "generation": generation], token: "admin-secret")
            #expect(h.errorCode(wrongKind) == "TOKEN_INVALID")
            let tail = try await h.server.request(.HEAD, events, headers: admin).nextOffset
            let done = try await h.call(
                .POST, "subscriptions/guarded/ack",
                json: ["wake_id": wakeID, "generation": generation, "acks": [["stream": events, "offset": try #require(tail)]], "done": true],
                token: token
            )
            #expect(done.status == .ok)
            #expect(try await h.call(.DELETE, "subscriptions/guarded", token: "admin-secret").status == .noContent)

            // Refusals are counted with the server's other authorisation refusals.
            let metrics = try await Self.scrape(h)
            #expect(metrics[#"ds_auth_denied_total{status="401"}"#] == 4)
            #expect(metrics[#"ds_auth_denied_total{status="403"}"#] == 7)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func deliveriesAndFailuresAreCounted(kind: StoreKind) async throws {
        let receiver = try await WebhookReceiver.start()
        defer { Task { try? await receiver.stop() } }
        try await SubscriptionHarness.with(kind, configure: Self.configure) { h in
            let admin = [("Authorization", "Bearer admin-secret")]
            let events = uniquePath("events")
            try await h.server.createStream(events, headers: admin)
            let created = try await h.call(
                .PUT, "subscriptions/counted", json: ["type": "webhook", "streams": [events], "webhook": ["url": receiver.url]],
                token: "admin-secret"
            )
            #expect(created.status == .created)
            // The first attempt fails, the retry is answered `done`.
            receiver.enqueue(.failure)
            receiver.setFallback(.done)
            try await h.server.appendText(events, "payload", headers: admin)
            let tail = try #require(try await h.server.request(.HEAD, events, headers: admin).nextOffset)
            _ = try await receiver.requests.next(timeout: .seconds(60), "the failing attempt")
            _ = try await receiver.requests.next(timeout: .seconds(60), "the retry")
            try await waitUntil(timeout: .seconds(60)) { try h.object(try await h.call(.GET, "subscriptions/counted", token: "admin-secret"))["status"] as? String == "active" }
            let streams = try h.object(try await h.call(.GET, "subscriptions/counted", token: "admin-secret"))["streams"] as? [[String: Any]]
            #expect(streams?.first?["acked_offset"] as? String == tail)
            // The acked offset moves only after the server has counted the attempt's result.
            let metrics = try await Self.scrape(h)
            #expect(metrics[#"ds_subscription_deliveries_total{result="failed"}"#] == 1)
            #expect(metrics[#"ds_subscription_deliveries_total{result="delivered"}"#] == 1)
        }
    }

    /// Waits with long-polls until the wake stream holds a wake event.
    private func waitForWake(_ h: SubscriptionHarness, _ wake: String, headers: [(String, String)]) async throws -> [[String: Any]] {
        var offset = "-1"
        for _ in 0..<20 {
            let response = try await h.server.request(.GET, "\(wake)?offset=\(offset)&live=long-poll", headers: headers)
            if let next = response.nextOffset { offset = next }
            if response.status == .ok, let messages = try response.json() as? [[String: Any]], !messages.isEmpty { return messages }
        }
        throw TestFailure("no wake event in \(wake)")
    }
}
