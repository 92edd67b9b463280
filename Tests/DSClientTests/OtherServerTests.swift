import DSClient
import Foundation
import Synchronization
import Testing

/// Behaviour against servers unlike ours: opaque offsets of another shape, SSE refused, `429`/`503` answers.
struct OtherServerTests {
    static let quickRetry = RetryPolicy(initialDelay: .milliseconds(1), maxDelay: .milliseconds(20))

    @Test func autoFallsBackToLongPollWhenSSEIsRefusedAndKeepsOffsetsOpaque() async throws {
        // Offsets here are words, not our fixed-width numbers; the client must only echo them.
        let server = try await ScriptedServer.start { request in
            switch (request.query["live"], request.query["offset"]) {
            case (nil, "-1"):
                return ScriptedResponse(200, [
                    ("Content-Type", "text/plain"), ("Stream-Next-Offset", "alpha/1"), ("Stream-Up-To-Date", "true"),
                ], body: "first;")
            case ("sse", _):
                return ScriptedResponse(400, body: "no SSE here")
            case ("long-poll", "alpha/1"):
                return ScriptedResponse(200, [
                    ("Content-Type", "text/plain"), ("Stream-Next-Offset", "beta&2"), ("Stream-Cursor", "c 1"),
                ], body: "second;")
            case ("long-poll", "beta&2"):
                return ScriptedResponse(204, [("Stream-Next-Offset", "beta&2"), ("Stream-Up-To-Date", "true"), ("Stream-Closed", "true")])
            default:
                return ScriptedResponse(500, body: "unexpected \(request.query)")
            }
        }
        defer { Task { try? await server.stop() } }
        let stream = DurableStream(url: server.url("/any/path"), configuration: ClientConfiguration(retry: .none))
        let chunks = try await withTimeout { try await collect(stream.read(mode: .auto)) }
        #expect(String(decoding: joinedBytes(chunks), as: UTF8.self) == "first;second;")
        #expect(chunks.last?.closed == true)
        #expect(chunks.last?.offset == Offset("beta&2"))
        let lastPoll = try #require(server.requests.last)
        #expect(lastPoll.query["offset"] == "beta&2")
        #expect(lastPoll.query["cursor"] == "c 1")
        #expect(server.requests.contains { $0.query["live"] == "sse" })
    }

    @Test func severalSSEDataEventsBeforeOneControlEventFormOneChunk() async throws {
        let server = try await ScriptedServer.start { request in
            guard request.query["live"] == "sse" else {
                return ScriptedResponse(200, [("Content-Type", "application/json"), ("Stream-Next-Offset", "o1"), ("Stream-Up-To-Date", "true")], body: "[]")
            }
            let body = "event: data\ndata: [1,\ndata: 2]\n\nevent: data\ndata: []\n\nevent: data\ndata: [3]\n\n"
                + "event: control\ndata: {\"streamNextOffset\":\"o2\",\"streamClosed\":true}\n\n"
            return ScriptedResponse(200, [("Content-Type", "text/event-stream")], body: body)
        }
        defer { Task { try? await server.stop() } }
        let stream = DurableStream(url: server.url("/json"), configuration: ClientConfiguration(retry: .none))
        let chunks = try await withTimeout { try await collect(stream.read(mode: .auto)) }
        let last = try #require(chunks.last)
        #expect(last.closed)
        #expect(last.offset == Offset("o2"))
        #expect(last.text == "[1,\n2,3]")
        #expect(try last.jsonMessages().map { String(buffer: $0) } == ["1", "2", "3"])
        var values: [Int] = []
        for try await message in stream.messages(as: Int.self, mode: .auto) { values.append(message.value) }
        #expect(values == [1, 2, 3])
    }

    @Test func rateLimitsAndUnavailableAnswersAreRetried() async throws {
        let calls = Mutex(0)
        let server = try await ScriptedServer.start { request in
            let call = calls.withLock {
                $0 += 1
                return $0
            }
            if request.method == "POST" {
                // A plain append is retried on 429 and 503: the server did not apply it.
                if call <= 2 { return ScriptedResponse(call == 1 ? 429 : 503, [("Retry-After", "0")]) }
                return ScriptedResponse(204, [("Stream-Next-Offset", "n1")])
            }
            if call <= 5 { return ScriptedResponse(503) }
            return ScriptedResponse(200, [
                ("Content-Type", "text/plain"), ("Stream-Next-Offset", "end"), ("Stream-Up-To-Date", "true"), ("Stream-Closed", "true"),
            ], body: "ok")
        }
        defer { Task { try? await server.stop() } }
        let stream = DurableStream(url: server.url("/s"), contentType: "text/plain", configuration: ClientConfiguration(retry: Self.quickRetry))
        let appended = try await withTimeout { try await stream.append("x") }
        #expect(appended.nextOffset == Offset("n1"))
        let chunks = try await withTimeout { try await collect(stream.read(mode: .catchUp)) }
        #expect(String(decoding: joinedBytes(chunks), as: UTF8.self) == "ok")
        #expect(server.requests.count == 6)
    }

    @Test func aPlainAppendIsNotRetriedAfterAnAmbiguousServerError() async throws {
        let server = try await ScriptedServer.start { _ in ScriptedResponse(500, body: "maybe stored") }
        defer { Task { try? await server.stop() } }
        let stream = DurableStream(url: server.url("/s"), contentType: "text/plain", configuration: ClientConfiguration(retry: Self.quickRetry))
        await #expect {
            try await withTimeout { try await stream.append("x") }
        } throws: { error in
            guard let error = error as? DurableStreamError else { return false }
            return error.code == .serverError && error.message.contains("maybe stored")
        }
        #expect(server.requests.count == 1)
    }
}
