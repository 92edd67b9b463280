import DSTestSupport
import Foundation
import NIOHTTP1
import Testing

/// `run --data-dir`: what the durable store and the subscription state keep across a restart of the
/// binary on the same directory, and the file store's group-commit metrics.
struct DurableRunTests {
    private typealias HTTP = BinaryHTTP

    private static func arguments(_ directory: TemporaryDirectory, _ extra: [String] = []) -> [String] {
        ["run", "--data-dir", directory.path, "--port", "0", "--no-registry", "--long-poll-timeout-ms", "5000"] + extra
    }

    private static func kid(_ root: String) async throws -> String {
        let jwks = try await HTTP.request(.GET, root + "__ds/jwks.json").object()
        return try #require((jwks["keys"] as? [[String: Any]])?.first?["kid"] as? String)
    }

    private static func link(_ subscription: [String: Any], _ path: String) -> [String: Any]? {
        (subscription["streams"] as? [[String: Any]])?.first { $0["path"] as? String == path }
    }

    @Test func subscriptionsCursorsAndTheSigningKeySurviveARestart() async throws {
        let directory = try TemporaryDirectory(prefix: "ds-run-subscriptions")
        defer { directory.remove() }
        let events = uniquePath("events")
        let wake = uniquePath("wake")
        let id = "durable-sub"

        struct Before: Sendable {
            var kid: String
            var acked: String
            var tail: String
            var wakeOffset: String
        }
        let first = try await ServerProcess.start(arguments: Self.arguments(directory), timeoutSeconds: 120)
        let before: Before
        do {
            let root = first.streamRootURL
            #expect(try await HTTP.request(.PUT, root + wake, headers: [("Content-Type", "application/json")]).status == .created)
            #expect(try await HTTP.request(.PUT, root + events, headers: [("Content-Type", "text/plain")]).status == .created)
            let created = try await HTTP.request(
                .PUT, root + "__ds/subscriptions/\(id)",
                json: ["type": "pull-wake", "streams": [events], "wake_stream": wake, "lease_ttl_ms": 600_000]
            )
            #expect(created.status == .created)

            // One wake, claimed and acked: the cursor moves to the tail.
            #expect(try await HTTP.request(.POST, root + events, headers: [("Content-Type", "text/plain")], body: "one").status == .noContent)
            let acked = try #require(try await HTTP.request(.HEAD, root + events).nextOffset)
            let (firstWake, afterFirst) = try await HTTP.waitForMessages(root + wake, after: "-1")
            #expect(firstWake.first?["generation"] as? Int == 1)
            let claim = try await HTTP.request(.POST, root + "__ds/subscriptions/\(id)/claim", json: ["worker": "w1"]).object()
            let token = try #require(claim["token"] as? String)
            let wakeID = try #require(claim["wake_id"] as? String)
            let done = try await HTTP.request(
                .POST, root + "__ds/subscriptions/\(id)/ack", headers: [("Authorization", "Bearer \(token)")],
                json: ["wake_id": wakeID, "generation": 1, "acks": [["stream": events, "offset": acked]], "done": true]
            )
            #expect(done.status == .ok)
            #expect(Self.link(try await HTTP.request(.GET, root + "__ds/subscriptions/\(id)").object(), events)?["acked_offset"] as? String == acked)

            // More data: a second wake is written and left unclaimed when the server stops.
            #expect(try await HTTP.request(.POST, root + events, headers: [("Content-Type", "text/plain")], body: "two").status == .noContent)
            let tail = try #require(try await HTTP.request(.HEAD, root + events).nextOffset)
            let (secondWake, _) = try await HTTP.waitForMessages(root + wake, after: afterFirst)
            #expect(secondWake.first?["generation"] as? Int == 2)
            before = Before(kid: try await Self.kid(root), acked: acked, tail: tail, wakeOffset: afterFirst)
        } catch {
            _ = try? await first.stop(timeoutSeconds: 60)
            throw error
        }
        #expect(try await first.stop(timeoutSeconds: 60) == 0)

        // The state lives in the data directory; the private key only its owner can read.
        let subscriptions = directory.path + "/subscriptions"
        #expect(FileManager.default.fileExists(atPath: subscriptions + "/subscriptions.json"))
        let keyMode = try FileManager.default.attributesOfItem(atPath: subscriptions + "/signing-key.json")[.posixPermissions] as? Int
        #expect(keyMode == 0o600)

        let second = try await ServerProcess.start(arguments: Self.arguments(directory), timeoutSeconds: 120)
        do {
            let root = second.streamRootURL
            // Same key, same subscription, cursor and generation; the acked offset is not the newer tail.
            #expect(try await Self.kid(root) == before.kid)
            let subscription = try await HTTP.request(.GET, root + "__ds/subscriptions/\(id)").object()
            #expect(subscription["generation"] as? Int == 2)
            #expect(subscription["status"] as? String == "active")
            let link = Self.link(subscription, events)
            #expect(link?["acked_offset"] as? String == before.acked)
            #expect(link?["link_type"] as? String == "explicit")

            // The unclaimed wake is still the current one: claiming it sees the pending data.
            let claim = try await HTTP.request(.POST, root + "__ds/subscriptions/\(id)/claim", json: ["worker": "w2"]).object()
            #expect(claim["generation"] as? Int == 2)
            let stream = (claim["streams"] as? [[String: Any]])?.first
            #expect(stream?["acked_offset"] as? String == before.acked)
            #expect(stream?["tail_offset"] as? String == before.tail)
            #expect(stream?["has_pending"] as? Bool == true)
            let token = try #require(claim["token"] as? String)
            let wakeID = try #require(claim["wake_id"] as? String)
            let done = try await HTTP.request(
                .POST, root + "__ds/subscriptions/\(id)/ack", headers: [("Authorization", "Bearer \(token)")],
                json: ["wake_id": wakeID, "generation": 2, "acks": [["stream": events, "offset": before.tail]], "done": true]
            )
            #expect(done.status == .ok)
            #expect(Self.link(try await HTTP.request(.GET, root + "__ds/subscriptions/\(id)").object(), events)?["acked_offset"] as? String == before.tail)
        } catch {
            _ = try? await second.stop(timeoutSeconds: 60)
            throw error
        }
        #expect(try await second.stop(timeoutSeconds: 60) == 0)
    }

    @Test func devKeepsSubscriptionsInMemory() async throws {
        let first = try await ServerProcess.start(arguments: ["dev", "--port", "0", "--no-registry"], timeoutSeconds: 120)
        let created = try await HTTP.request(
            .PUT, first.streamRootURL + "__ds/subscriptions/ephemeral",
            json: ["type": "webhook", "streams": ["a"], "webhook": ["url": "http://127.0.0.1:9/hook"]]
        )
        // dev allows localhost webhooks (development mode).
        #expect(created.status == .created)
        let kid = try await Self.kid(first.streamRootURL)
        #expect(try await first.stop(timeoutSeconds: 60) == 0)

        let second = try await ServerProcess.start(arguments: ["dev", "--port", "0", "--no-registry"], timeoutSeconds: 120)
        #expect(try await HTTP.request(.GET, second.streamRootURL + "__ds/subscriptions/ephemeral").status == .notFound)
        #expect(try await Self.kid(second.streamRootURL) != kid)
        #expect(try await second.stop(timeoutSeconds: 60) == 0)
    }

    @Test func runRefusesLocalhostWebhooksAndProtectsSubscriptionsWithTokens() async throws {
        let directory = try TemporaryDirectory(prefix: "ds-run-auth")
        defer { directory.remove() }
        let server = try await ServerProcess.start(arguments: Self.arguments(directory, ["--auth-token", "root-token"]), timeoutSeconds: 120)
        let bearer = [("Authorization", "Bearer root-token")]
        let url = server.streamRootURL + "__ds/subscriptions/guarded"
        let body: [String: Any] = ["type": "webhook", "streams": ["a"], "webhook": ["url": "http://127.0.0.1:9/hook"]]
        #expect(try await HTTP.request(.PUT, url, json: body).status == .unauthorized)
        let refused = try await HTTP.request(.PUT, url, headers: bearer, json: body)
        #expect(refused.status == .badRequest)
        #expect((try refused.object()["error"] as? [String: Any])?["code"] as? String == "WEBHOOK_URL_REJECTED")
        #expect(try await HTTP.request(.GET, server.streamRootURL + "__ds/jwks.json").status == .ok)
        #expect(try await server.stop(timeoutSeconds: 60) == 0)
    }

    @Test func groupCommitMetricsMoveOnTheFileStore() async throws {
        let directory = try TemporaryDirectory(prefix: "ds-run-metrics")
        defer { directory.remove() }
        let server = try await ServerProcess.start(arguments: Self.arguments(directory), timeoutSeconds: 120)
        let path = uniquePath()
        let url = server.streamRootURL + path
        #expect(try await HTTP.request(.PUT, url, headers: [("Content-Type", "text/plain")]).status == .created)
        let before = try await HTTP.metrics(server.streamRootURL)

        // Sequential appends, then concurrent ones that may share a group commit.
        let sequential = 4
        let concurrent = 8
        for index in 0..<sequential {
            #expect(try await HTTP.request(.POST, url, headers: [("Content-Type", "text/plain")], body: "s\(index)").status == .noContent)
        }
        try await withThrowingTaskGroup(of: HTTPResponseStatus.self) { group in
            for index in 0..<concurrent {
                group.addTask { try await HTTP.request(.POST, url, headers: [("Content-Type", "text/plain")], body: "c\(index)").status }
            }
            for try await status in group { #expect(status == .noContent) }
        }
        let after = try await HTTP.metrics(server.streamRootURL)
        #expect(try await server.stop(timeoutSeconds: 60) == 0)

        // Every append was made durable by exactly one recorded group commit, each of which was timed.
        let appends = "ds_store_appends_per_fsync_batch"
        let fsync = "ds_store_fsync_duration_seconds"
        #expect(after["\(appends)_sum"] - before["\(appends)_sum"] == Double(sequential + concurrent))
        let batches = after["\(appends)_count"] - before["\(appends)_count"]
        #expect(batches >= Double(sequential + 1) && batches <= Double(sequential + concurrent))
        #expect(after[#"\#(appends)_bucket{le="+Inf"}"#] == after["\(appends)_count"])
        #expect(after["\(fsync)_count"] - before["\(fsync)_count"] == batches)
        #expect(after["\(fsync)_sum"] > before["\(fsync)_sum"])
        #expect(after["ds_store_fsync_failures_total"] == 0)
    }
}
