import DSTestSupport
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// Live reads of forks: long-poll (PROTOCOL.md §5.7 "Long-poll on forked streams") and SSE (§5.8 "SSE on
/// forked streams"). Waits are ordered with the server's live-request count, never with sleeps.
struct ForkLiveTests {
    @Test(arguments: StoreKind.allCases)
    func longPollInTheInheritedRangeAnswersAtOnce(_ kind: StoreKind) async throws {
        // A long timeout: a server that waited would answer 204 only after it, failing the test.
        try await TestServer.with(kind, configure: { $0.longPollTimeout = .seconds(60) }) { server in
            let source = uniquePath("source")
            let first = try await server.createStream(source, contentType: "application/json", body: "[1]").nextOffset!
            try await server.appendJSON(source, "[2]")
            let fork = uniquePath("fork")
            try await server.createFork(fork, from: source)
            let response = try await server.read(fork, offset: first, query: "&live=long-poll")
            #expect(response.status == .ok)
            #expect(response.text == "[2]")
            #expect(response.header("Stream-Cursor") != nil)

            try await server.appendJSON(fork, "[3]")
            let spanning = try await server.read(fork, offset: first, query: "&live=long-poll")
            #expect(spanning.text == "[2,3]")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func longPollAtTheForksTailWakesOnlyForTheForksAppends(_ kind: StoreKind) async throws {
        try await TestServer.with(kind, configure: { $0.longPollTimeout = .seconds(60) }) { server in
            let source = uniquePath("source")
            try await server.createStream(source, body: "shared")
            let fork = uniquePath("fork")
            let tail = try await server.createFork(fork, from: source).nextOffset!

            let poll = Task { try await server.read(fork, offset: tail, query: "&live=long-poll") }
            try await server.waitForLiveRequests(1)
            // Had this woken the fork's waiter, the poll would answer 204 with nothing new.
            try await server.appendText(source, "-source")
            try await server.appendText(fork, "-fork")
            let response = try await poll.value
            #expect(response.status == .ok)
            #expect(response.text == "-fork")
            #expect(response.nextOffset == (try await server.read(fork, offset: "now").nextOffset))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func longPollOnTheSourceIgnoresForkAppends(_ kind: StoreKind) async throws {
        try await TestServer.with(kind, configure: { $0.longPollTimeout = .seconds(60) }) { server in
            let source = uniquePath("source")
            let tail = try await server.createStream(source, body: "shared").nextOffset!
            let fork = uniquePath("fork")
            try await server.createFork(fork, from: source)

            let poll = Task { try await server.read(source, offset: tail, query: "&live=long-poll") }
            try await server.waitForLiveRequests(1)
            try await server.appendText(fork, "-fork")
            try await server.appendText(source, "-source")
            let response = try await poll.value
            #expect(response.status == .ok)
            #expect(response.text == "-source")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func longPollOnASourceThatGetsSoftDeletedAnswersGone(_ kind: StoreKind) async throws {
        try await TestServer.with(kind, configure: { $0.longPollTimeout = .seconds(60) }) { server in
            let source = uniquePath("source")
            let tail = try await server.createStream(source, body: "shared").nextOffset!
            let fork = uniquePath("fork")
            try await server.createFork(fork, from: source)

            let poll = Task { try await server.read(source, offset: tail, query: "&live=long-poll") }
            try await server.waitForLiveRequests(1)
            #expect(try await server.request(.DELETE, source).status == .noContent)
            #expect(try await poll.value.status == .gone)
            #expect(try await server.read(source, offset: tail, query: "&live=long-poll").status == .gone)
            #expect(try await server.read(fork).text == "shared")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func sseDeliversInheritedThenOwnDataThenOnlyTheForksAppends(_ kind: StoreKind) async throws {
        try await TestServer.with(kind) { server in
            let source = uniquePath("source")
            try await server.createStream(source, body: "inherited|")
            let fork = uniquePath("fork")
            try await server.createFork(fork, from: source)
            try await server.appendText(fork, "own|")

            let reader = try await SSEReader.open(server.url("\(fork)?offset=-1&live=sse"))
            #expect(reader.status == .ok)
            #expect(reader.headers.first(name: "stream-sse-data-encoding") == nil)
            let collect = Task { try await reader.events(until: Self.sawClosedControl) }
            try await server.waitForLiveRequests(1)
            try await server.appendText(source, "source-only|")
            try await server.appendText(fork, "live|")
            try await server.request(.POST, fork, headers: [("Stream-Closed", "true")])

            let (events, _) = try await collect.value
            let data = events.filter { $0.event == "data" }.map(\.data).joined()
            #expect(data == "inherited|own|live|")
            let last = try events.last { $0.event == "control" }?.controlObject()
            #expect(last?["streamClosed"] as? Bool == true)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func sseOnAJSONForkSendsArraysSpanningTheBoundary(_ kind: StoreKind) async throws {
        try await TestServer.with(kind) { server in
            let source = uniquePath("source")
            try await server.createStream(source, contentType: "application/json", body: "[1,2]")
            let fork = uniquePath("fork")
            try await server.createFork(fork, from: source)
            try await server.appendJSON(fork, "[3]")

            let reader = try await SSEReader.open(server.url("\(fork)?offset=-1&live=sse"))
            let collect = Task { try await reader.events(until: Self.sawClosedControl) }
            try await server.waitForLiveRequests(1)
            try await server.appendJSON(source, "[100]")
            try await server.request(.POST, fork, headers: [("Content-Type", "application/json"), ("Stream-Closed", "true")], text: "[4]")

            let (events, _) = try await collect.value
            var values: [Int] = []
            for event in events where event.event == "data" {
                values += try #require(try JSONSerialization.jsonObject(with: Data(event.data.utf8)) as? [Int])
            }
            #expect(values == [1, 2, 3, 4])
            #expect(events.first { $0.event == "data" }?.data == "[1,2,3]")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func sseOnABinaryForkIsBase64(_ kind: StoreKind) async throws {
        try await TestServer.with(kind) { server in
            let source = uniquePath("source")
            try await server.request(.PUT, source, headers: [("Content-Type", "application/octet-stream")], body: ByteBuffer(bytes: [0, 1, 2]))
            let fork = uniquePath("fork")
            try await server.createFork(fork, from: source)
            try await server.request(.POST, fork, headers: [("Content-Type", "application/octet-stream")], body: ByteBuffer(bytes: [3, 255]))

            let reader = try await SSEReader.open(server.url("\(fork)?offset=-1&live=sse"))
            #expect(reader.headers.first(name: "stream-sse-data-encoding") == "base64")
            let (events, _) = try await reader.events { events in events.contains { $0.event == "control" } }
            let payload = try #require(events.first { $0.event == "data" }?.data)
            #expect(Data(base64Encoded: payload.replacingOccurrences(of: "\n", with: "")) == Data([0, 1, 2, 3, 255]))
        }
    }

    /// Stops collecting at the control event that reports the stream closed.
    @Sendable static func sawClosedControl(_ events: [SSEEvent]) -> Bool {
        guard let last = events.last, last.event == "control" else { return false }
        return last.data.contains("\"streamClosed\":true")
    }
}
