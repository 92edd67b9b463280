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
        // The test moves the server's clock itself; a sweep interval of an hour proves that the very next
        // request notices the expiry, not the background sweep.
        let clock = ManualStoreClock()
        try await TestServer.with(store, configure: {
            $0.useManualClock(clock)
        }) { (server: TestServer) async throws in
            let path = uniquePath()
            let deadline = clock.now.milliseconds + 2500
            try await server.createStream(path, headers: [("Stream-Expires-At", RFC3339Text.format(deadline))], body: "x")
            clock.advance(milliseconds: 2499)
            #expect(try await server.request(.GET, path).status == .ok, "one millisecond before the deadline")
            #expect(try await server.request(.HEAD, path).status == .ok)
            clock.advance(milliseconds: 1)
            #expect(try await server.request(.GET, path).status == .notFound, "at the deadline")
            #expect(try await server.request(.HEAD, path).status == .notFound)
            #expect(try await server.request(.POST, path, headers: [("Content-Type", "text/plain")], text: "y").status == .notFound)
            let recreated = try await server.request(.PUT, path, headers: [("Content-Type", "text/plain")], text: "new")
            #expect(recreated.status == .created)
            #expect(try await server.request(.GET, path).text == "new")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func ttlSlidesOnReadsAndAppendsButNotOnHead(store: StoreKind) async throws {
        let clock = ManualStoreClock()
        try await TestServer.with(store, configure: {
            $0.useManualClock(clock)
        }) { (server: TestServer) async throws in
            let sliding = uniquePath()
            let headOnly = uniquePath()
            try await server.createStream(sliding, headers: [("Stream-TTL", "3")])
            try await server.createStream(headOnly, headers: [("Stream-TTL", "3")])
            // Nine touches 2.9 s apart: 26 s in all, far past the 3 s window, which only sliding can survive.
            for step in 1...9 {
                clock.advance(milliseconds: 2900)
                if step.isMultiple(of: 2) {
                    #expect(try await server.request(.GET, sliding).status == .ok, "read at step \(step)")
                } else {
                    try await server.appendText(sliding, "\(step)")
                }
                // Only the first HEAD falls inside the window; had it slid the deadline, the later ones would too.
                let expected: HTTPResponseStatus = step == 1 ? .ok : .notFound
                #expect(try await server.request(.HEAD, headOnly).status == expected, "HEAD at step \(step)")
            }
            #expect(try await server.request(.GET, sliding).text == "13579")
            #expect(try await server.request(.HEAD, headOnly).status == .notFound, "HEAD must not have moved the deadline")
            // A stream untouched for exactly its TTL has expired: the deadline is inclusive.
            clock.advance(milliseconds: 3000)
            #expect(try await server.request(.HEAD, sliding).status == .notFound)
        }
    }

    /// §5.1: for long-poll and SSE the TTL resets when the server begins processing the request, so a stream with
    /// live readers and no new data does not expire.
    @Test(arguments: StoreKind.allCases)
    func liveReadsSlideTheTTLWhenTheyBegin(store: StoreKind) async throws {
        let clock = ManualStoreClock()
        try await TestServer.with(store, configure: {
            $0.useManualClock(clock)
            $0.longPollTimeout = .milliseconds(100)
            $0.sseConnectionLifetime = .milliseconds(100)
        }) { (server: TestServer) async throws in
            let path = uniquePath()
            let tail = try #require(try await server.createStream(path, headers: [("Stream-TTL", "3")]).nextOffset)
            // A long-poll that finds no data and times out still touched the stream when it began.
            clock.advance(milliseconds: 2900)
            #expect(try await server.request(.GET, "\(path)?offset=\(tail)&live=long-poll").status == .noContent)
            clock.advance(milliseconds: 2900)
            #expect(try await server.request(.HEAD, path).status == .ok, "5.8 s after creation, 2.9 s after the long-poll")
            // So does an SSE session that delivers nothing but its first control event.
            let (events, ended) = try await SSEReader.open(server.url("\(path)?offset=\(tail)&live=sse")).events()
            #expect(ended)
            #expect(events.map(\.event) == ["control"])
            clock.advance(milliseconds: 2900)
            #expect(try await server.request(.HEAD, path).status == .ok, "2.9 s after the SSE session began")
            clock.advance(milliseconds: 100)
            #expect(try await server.request(.HEAD, path).status == .notFound, "one full window after the SSE session began")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func expiredStreamsAreReclaimedInTheBackground(store: StoreKind) async throws {
        let recorder = EventRecorder()
        let clock = ManualStoreClock()
        try await TestServer.with(store, configure: {
            $0.expirySweepInterval = .milliseconds(50)
            $0.hooks = [recorder]
            $0.clock = clock.storeClock
        }) { (server: TestServer) async throws in
            let path = uniquePath()
            try await server.createStream(path, headers: [("Stream-TTL", "1")])
            clock.advance(milliseconds: 1000)
            // Nobody touches the stream; the sweeper must find it.
            let expired = try await recorder.waitFor(timeoutSeconds: 30) { events in
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
