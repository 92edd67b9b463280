import DSClient
import DSServer
import DSTestSupport
import Foundation
import NIOCore
import Synchronization
import Testing

struct ProducerTests {
    static let quickRetry = RetryPolicy(initialDelay: .milliseconds(1), maxDelay: .milliseconds(20))

    /// The `i`-th piece a test writes: distinct, so a duplicate or a reordering shows.
    static func piece(_ index: Int) -> String { "<\(index)>" }

    @Test func batchesPipelinesAndKeepsOrder() async throws {
        try await TestServer.with { server in
            let proxy = try await FaultProxy.start(targetPort: server.port)
            defer { Task { try? await proxy.stop() } }
            let path = uniquePath("producer")
            let direct = DurableStream(url: server.url(path))
            try await direct.create(contentType: "text/plain")
            let stream = DurableStream(url: proxy.url(server.url(path)), contentType: "text/plain")
            // Batches close by size only (the linger is far longer than the test).
            let producer = stream.producer(id: "p", options: ProducerOptions(maxBatchBytes: 200, linger: .seconds(600), maxInFlight: 4))
            // While the first batch's answer is held back, every other batch queues up behind it (a new epoch's
            // first batch travels alone); once it is acknowledged the queue goes out several requests at a time.
            proxy.holdResponses()
            var expected = ""
            for index in 0..<2_000 {
                try await producer.append(Self.piece(index))
                expected += Self.piece(index)
            }
            try await proxy.releaseResponses()
            try await withTimeout { try await producer.flush() }
            let statistics = await producer.statistics
            // Each batch but the last is closed by the piece that would overflow it, so it holds 195 to 200 bytes.
            let total = expected.utf8.count
            #expect(((total + 199) / 200...(total + 194) / 195).contains(statistics.acknowledgedBatches))
            #expect(statistics.peakInFlight == 4)
            #expect(String(buffer: try await direct.readAll().data) == expected)
        }
    }

    @Test func lingerSendsAPartialBatchWithoutAFlush() async throws {
        try await TestServer.with { server in
            let stream = server.stream()
            try await stream.create(contentType: "text/plain")
            let reader = BackgroundReader(stream.read(mode: .longPoll))
            defer { reader.cancel() }
            // The batch can never fill up, and nothing flushes: only the linger timer can send it.
            let producer = stream.producer(id: "linger", options: ProducerOptions(maxBatchBytes: 1 << 20, linger: .milliseconds(20)))
            try await producer.append("fire")
            try await producer.append("-and-forget")
            try await withTimeout(20, "the lingering batch reaching a reader") {
                var text = ""
                for await chunk in reader.chunks {
                    text += chunk.text
                    if text == "fire-and-forget" { break }
                }
                #expect(text == "fire-and-forget")
            }
        }
    }

    @Test func jsonMessagesArriveOnceInOrder() async throws {
        struct Event: Codable, Sendable, Equatable { var n: Int }
        try await TestServer.with { server in
            let stream = server.stream()
            try await stream.create(contentType: "application/json")
            let producer = stream.producer(id: "json", options: ProducerOptions(maxBatchBytes: 300, maxInFlight: 3))
            for index in 0..<500 { try await producer.append(json: Event(n: index)) }
            try await withTimeout { try await producer.flush() }
            var seen: [Int] = []
            for try await message in stream.messages(as: Event.self, mode: .catchUp) { seen.append(message.value.n) }
            #expect(seen == Array(0..<500))
        }
    }

    @Test func retriesAfterLostResponsesNeverDuplicate() async throws {
        try await TestServer.with { server in
            let proxy = try await FaultProxy.start(targetPort: server.port)
            defer { Task { try? await proxy.stop() } }
            let path = uniquePath("producer")
            let direct = DurableStream(url: server.url(path))
            try await direct.create(contentType: "text/plain")
            let stream = DurableStream(
                url: proxy.url(server.url(path)), contentType: "text/plain", configuration: ClientConfiguration(retry: Self.quickRetry)
            )
            // The server stores these batches, but their answers never reach the producer.
            proxy.dropNextResponses(25)
            let producer = stream.producer(id: "lossy", options: ProducerOptions(maxBatchBytes: 64, maxInFlight: 5))
            var expected = ""
            for index in 0..<600 {
                try await producer.append(Self.piece(index))
                expected += Self.piece(index)
            }
            try await withTimeout(60, "flush through a lossy proxy") { try await producer.flush() }
            #expect(proxy.droppedResponses == 25)
            let statistics = await producer.statistics
            #expect(statistics.retries >= 25)
            #expect(statistics.duplicateBatches > 0, "no retry hit an already stored batch, so nothing was tested")
            #expect(String(buffer: try await direct.readAll().data) == expected)
        }
    }

    @Test func retriesAcrossCutConnectionsNeverDuplicate() async throws {
        try await TestServer.with { server in
            let proxy = try await FaultProxy.start(targetPort: server.port)
            defer { Task { try? await proxy.stop() } }
            let path = uniquePath("producer")
            let direct = DurableStream(url: server.url(path))
            try await direct.create(contentType: "application/octet-stream")
            // Responses are cut at varied points: before, inside and after their headers.
            proxy.limitResponseBytes { connection in connection % 3 == 2 ? nil : 40 + (connection * 37) % 400 }
            let stream = DurableStream(
                url: proxy.url(server.url(path)), contentType: "application/octet-stream",
                configuration: ClientConfiguration(retry: Self.quickRetry)
            )
            let producer = stream.producer(id: "cut", options: ProducerOptions(maxBatchBytes: 500, maxInFlight: 5))
            var expected: [UInt8] = []
            for index in 0..<200 {
                let bytes = patternBytes(count: 61, seed: UInt64(index + 1))
                try await producer.append(bytes)
                expected += bytes
            }
            try await withTimeout(60, "flush through a cutting proxy") { try await producer.flush() }
            #expect(proxy.cutConnections > 0)
            #expect(await producer.statistics.retries > 0)
            #expect(Array(try await direct.readAll().data.readableBytesView) == expected)
        }
    }

    @Test func aNewerEpochFencesTheOldInstance() async throws {
        try await TestServer.with { server in
            let stream = server.stream()
            try await stream.create(contentType: "text/plain")
            let reported = ErrorBox()
            let zombie = stream.producer(id: "shared", epoch: 0, options: ProducerOptions(onError: { reported.set($0) }))
            try await zombie.append("a")
            try await withTimeout { try await zombie.flush() }

            let successor = stream.producer(id: "shared", epoch: 1)
            try await successor.append("b")
            try await withTimeout { try await successor.flush() }

            try await zombie.append("zombie")
            await #expect {
                try await withTimeout { try await zombie.flush() }
            } throws: { ($0 as? DurableStreamError)?.code == .staleEpoch(currentEpoch: 1) }
            #expect(reported.value?.code == .staleEpoch(currentEpoch: 1))
            await #expect { try await zombie.append("more") } throws: { ($0 as? DurableStreamError)?.code == .staleEpoch(currentEpoch: 1) }
            #expect(String(buffer: try await stream.readAll().data) == "ab")
        }
    }

    @Test func reusingAnEpochFailsInsteadOfLosingData() async throws {
        try await TestServer.with { server in
            let stream = server.stream()
            try await stream.create(contentType: "text/plain")
            let first = stream.producer(id: "same")
            try await first.append("one")
            try await withTimeout { try await first.flush() }
            // A restart that forgot to bump the epoch: its seq 0 is already stored.
            let second = stream.producer(id: "same")
            try await second.append("two")
            await #expect {
                try await withTimeout { try await second.flush() }
            } throws: { ($0 as? DurableStreamError)?.code == .staleEpoch(currentEpoch: 0) }
            #expect(String(buffer: try await stream.readAll().data) == "one")
        }
    }

    @Test func autoClaimTakesTheNextEpoch() async throws {
        try await TestServer.with { server in
            let stream = server.stream()
            try await stream.create(contentType: "text/plain")
            let first = stream.producer(id: "ephemeral")
            try await first.append("a")
            try await withTimeout { try await first.flush() }

            // Same epoch already used: claimed by moving to epoch 1.
            let second = stream.producer(id: "ephemeral", options: ProducerOptions(autoClaim: true))
            for piece in ["b", "c", "d"] { try await second.append(piece) }
            try await withTimeout { try await second.flush() }
            #expect(await second.epoch == 1)
            #expect(await second.statistics.claims == 1)

            // An older epoch is fenced with 403 and claimed past the server's epoch.
            let fenced = stream.producer(id: "ephemeral", epoch: 0, options: ProducerOptions(maxBatchBytes: 1, maxInFlight: 3, autoClaim: true))
            for piece in ["e", "f", "g"] { try await fenced.append(piece) }
            try await withTimeout { try await fenced.flush() }
            #expect(await fenced.epoch == 2)
            #expect(String(buffer: try await stream.readAll().data) == "abcdefg")
        }
    }

    @Test func closeWithFinalAppendIsRetriedSafely() async throws {
        try await TestServer.with { server in
            let proxy = try await FaultProxy.start(targetPort: server.port)
            defer { Task { try? await proxy.stop() } }
            let path = uniquePath("producer")
            let direct = DurableStream(url: server.url(path))
            try await direct.create(contentType: "text/plain")
            let stream = DurableStream(url: proxy.url(server.url(path)), configuration: ClientConfiguration(retry: Self.quickRetry))
            let producer = stream.producer(id: "closer")
            try await producer.append("body;")
            try await withTimeout { try await producer.flush() }
            // The close is applied but its answer is lost; the retry is recognised.
            proxy.dropNextResponses(1)
            let result = try await withTimeout { try await producer.close(final: StreamBody(text: "end")) }
            #expect(result.closed)
            #expect(proxy.droppedResponses == 1)
            let all = try await direct.readAll()
            #expect(String(buffer: all.data) == "body;end")
            #expect(all.closed)
            await #expect { try await producer.append("late") } throws: { ($0 as? DurableStreamError)?.code == .invalidArgument }
        }
    }

    @Test func closeWithoutFinalData() async throws {
        try await TestServer.with { server in
            let stream = server.stream()
            try await stream.create(contentType: "application/json")
            let producer = stream.producer(id: "j")
            try await producer.append(json: ["k": 1])
            try await withTimeout { try await producer.close() }
            let all = try await stream.readAll()
            #expect(String(buffer: all.data) == #"[{"k":1}]"#)
            #expect(all.closed)
        }
    }

    @Test func appendsWaitWhenTheBufferIsFull() async throws {
        try await TestServer.with { server in
            let stream = server.stream()
            try await stream.create(contentType: "text/plain")
            let producer = stream.producer(id: "slow", options: ProducerOptions(maxBatchBytes: 100, maxBufferedBytes: 300))
            var expected = ""
            // About fifty acknowledged round trips one after the other: under the whole suite on two cores that
            // can take longer than the default 20 s guard, so the guard against a hang is wider here.
            try await withTimeout(120, "1,000 appends through a 300-byte buffer") {
                for index in 0..<1_000 { try await producer.append(Self.piece(index)) }
                try await producer.flush()
            }
            for index in 0..<1_000 { expected += Self.piece(index) }
            #expect(String(buffer: try await stream.readAll().data) == expected)
        }
    }

    @Test func writingToAClosedStreamFailsTheProducer() async throws {
        try await TestServer.with { server in
            let stream = server.stream()
            try await stream.create(contentType: "text/plain")
            try await stream.close()
            let producer = stream.producer(id: "late")
            try await producer.append("x")
            await #expect { try await withTimeout { try await producer.flush() } } throws: {
                ($0 as? DurableStreamError)?.code == .streamClosed
            }
        }
    }
}

/// Holds the error a callback reported.
final class ErrorBox: Sendable {
    private let storage = Mutex<DurableStreamError?>(nil)
    func set(_ error: DurableStreamError) { storage.withLock { $0 = error } }
    var value: DurableStreamError? { storage.withLock { $0 } }
}
