import DSProtocol
import DSServer
import DSStore
import DSTestSupport
import NIOCore
import NIOHTTP1
import Synchronization
import Testing

/// TTL and `Stream-Expires-At` (PROTOCOL.md §4, §5.1).
struct ExpiryTests {
    @Test(arguments: StoreKind.allCases)
    func strictTTLParsing(store: StoreKind) async throws {
        try await TestServer.with(store) { (server: TestServer) async throws in
            for bad in ["+3600", "03600", "3600.0", "3.6e3", "-1", "", "abc", "99999999999999999999"] {
                let response = try await server.request(.PUT, uniquePath(), headers: [("Stream-TTL", bad)])
                #expect(response.status == .badRequest, "Stream-TTL: \(bad)")
            }
            for bad in ["2025-13-01T00:00:00Z", "yesterday", "2025-01-01 00:00:00Z", "2025-01-01T00:00:00"] {
                let response = try await server.request(.PUT, uniquePath(), headers: [("Stream-Expires-At", bad)])
                #expect(response.status == .badRequest, "Stream-Expires-At: \(bad)")
            }
            let both = try await server.request(.PUT, uniquePath(), headers: [("Stream-TTL", "60"), ("Stream-Expires-At", "2099-01-01T00:00:00Z")])
            #expect(both.status == .badRequest)
            #expect(try await server.request(.PUT, uniquePath(), headers: [("Stream-TTL", "0")]).status == .created)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func expiresExactlyAtTheDeadlineAndThePathCanBeReused(store: StoreKind) async throws {
        // A long sweep interval proves that the very next request notices the expiry itself.
        try await TestServer.with(store, configure: { $0.expirySweepInterval = .seconds(3600) }) { (server: TestServer) async throws in
            try await withGrowingMargins(milliseconds: [2500, 5000, 10_000]) { margin in
                let path = uniquePath()
                let deadline = StoreTimestamp.now().milliseconds + margin
                let created = try await server.request(.PUT, path, headers: [("Content-Type", "text/plain"), ("Stream-Expires-At", RFC3339Text.format(deadline))], text: "x")
                let read = try await server.request(.GET, path)
                // Both were answered before the deadline, so the server handled them before it.
                guard StoreTimestamp.now().milliseconds < deadline else { return false }
                #expect(created.status == .created)
                #expect(read.status == .ok)
                try await sleepUntil(milliseconds: deadline)
                #expect(try await server.request(.GET, path).status == .notFound)
                #expect(try await server.request(.HEAD, path).status == .notFound)
                #expect(try await server.request(.POST, path, headers: [("Content-Type", "text/plain")], text: "y").status == .notFound)
                let recreated = try await server.request(.PUT, path, headers: [("Content-Type", "text/plain")], text: "new")
                #expect(recreated.status == .created)
                #expect(try await server.request(.GET, path).text == "new")
                return true
            }
        }
    }

    /// Touches alternate an append and a read, 0.6 TTL apart, so `sliding` stays alive only if both slide its
    /// window; `headOnly` is only ever asked with `HEAD`, which must not slide it. A touch is conclusive when it
    /// was answered within one TTL of the previous touch being sent (so the server saw them less than a TTL
    /// apart); a longer stall of a loaded machine makes the attempt inconclusive, and it is repeated with a
    /// longer TTL.
    @Test(arguments: StoreKind.allCases)
    func ttlSlidesOnReadsAndAppendsButNotOnHead(store: StoreKind) async throws {
        try await TestServer.with(store, configure: { $0.expirySweepInterval = .seconds(3600) }) { (server: TestServer) async throws in
            try await withGrowingMargins(milliseconds: [3000, 6000, 12_000]) { window in
                let ttl = [("Stream-TTL", String(window / 1000))]
                let sliding = uniquePath()
                let headOnly = uniquePath()
                var previousSent = StoreTimestamp.now().milliseconds
                try await server.createStream(sliding, headers: ttl)
                try await server.createStream(headOnly, headers: ttl)
                let headOnlyCreated = StoreTimestamp.now().milliseconds
                var appended = ""
                for step in 1...5 {
                    try await sleepUntil(milliseconds: previousSent + window * 6 / 10)
                    let sent = StoreTimestamp.now().milliseconds
                    let touch = step.isMultiple(of: 2) || step == 5
                        ? try await server.request(.GET, sliding)
                        : try await server.request(.POST, sliding, headers: [("Content-Type", "text/plain")], text: "\(step)")
                    guard StoreTimestamp.now().milliseconds - previousSent < window else { return false }
                    #expect(touch.status == (step.isMultiple(of: 2) || step == 5 ? .ok : .noContent), "touch \(step)")
                    if step == 5 { #expect(touch.text == appended) } else if !step.isMultiple(of: 2) { appended += "\(step)" }
                    _ = try await server.request(.HEAD, headOnly)
                    previousSent = sent
                }
                #expect(appended == "13")
                // Asked only after its window has certainly passed, however the server was scheduled.
                try await sleepUntil(milliseconds: headOnlyCreated + window)
                #expect(try await server.request(.HEAD, headOnly).status == .notFound)
                return true
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func expiredStreamsAreReclaimedInTheBackground(store: StoreKind) async throws {
        let recorder = EventRecorder()
        try await TestServer.with(store, configure: {
            $0.expirySweepInterval = .milliseconds(50)
            $0.hooks = [recorder]
        }) { (server: TestServer) async throws in
            let path = uniquePath()
            try await server.createStream(path, headers: [("Stream-TTL", "1")])
            // Nobody touches the stream; the sweeper must find it.
            let expired = try await recorder.waitFor(timeoutSeconds: 10) { events in
                events.contains { $0.kind == .expired && $0.path == path }
            }
            #expect(expired)
            #expect(try await server.request(.HEAD, path).status == .notFound)
        }
    }
}

/// Formats milliseconds as RFC 3339 for request headers.
enum RFC3339Text {
    static func format(_ milliseconds: Int64) -> String { RFC3339.format(milliseconds: milliseconds) }
}

/// Runs `attempt` with each margin in turn until one run was conclusive (it returns `false` when a stall of the
/// loaded machine outlasted its margin, so its timing proves nothing); records an issue if none was.
func withGrowingMargins(milliseconds margins: [Int64], _ attempt: (Int64) async throws -> Bool) async throws {
    for margin in margins where try await attempt(margin) { return }
    Issue.record("every attempt was disturbed by a stall longer than its margin (\(margins) ms)")
}

/// Sleeps until the wall clock passes `milliseconds` since the epoch (expiry tests need real time to pass).
func sleepUntil(milliseconds: Int64) async throws {
    let remaining = milliseconds - StoreTimestamp.now().milliseconds
    if remaining >= 0 { try await Task.sleep(nanoseconds: UInt64(remaining + 1) * 1_000_000) }
}

/// A lifecycle hook that records every event it sees.
final class EventRecorder: StreamLifecycleHook {
    private let events = Mutex<[StreamLifecycleEvent]>([])

    func handle(_ event: StreamLifecycleEvent) async throws {
        events.withLock { $0.append(event) }
    }

    var recorded: [StreamLifecycleEvent] { events.withLock { $0 } }

    /// Polls the recorded events until `condition` holds or the timeout passes.
    func waitFor(timeoutSeconds: Double, _ condition: ([StreamLifecycleEvent]) -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(timeoutSeconds * 1000))
        while ContinuousClock.now < deadline {
            if condition(recorded) { return true }
            try await Task.sleep(nanoseconds: 10_000_000)
        }
        return condition(recorded)
    }
}
