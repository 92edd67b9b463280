import DSFileStore
import DSProtocol
import DSServer
import DSStore
import DSTestSupport
import Foundation
import NIOCore
import Testing

/// Everything a client can observe survives closing the store and opening it again.
struct RestartTests {
    @Test func dataOffsetsAndContentTypesAreIdenticalAfterARestart() async throws {
        let harness = try FileStoreHarness()
        defer { harness.remove() }
        let text = uniquePath("text")
        let binary = uniquePath("binary")
        let before = try await harness.withServer { server in
            try await server.createStream(text, contentType: "text/plain; charset=utf-8", body: "first ")
            for index in 0..<20 { try await server.appendText(text, "line \(index)\n", contentType: "text/plain; charset=utf-8") }
            try await server.createStream(binary, contentType: "application/octet-stream")
            let blob = ByteBuffer(bytes: pseudoRandomBytes(count: 200_000, seed: 7))
            let appended = try await server.request(.POST, binary, headers: [("Content-Type", "application/octet-stream")], body: blob)
            #expect(appended.status == .noContent)
            return try await (server.request(.GET, text), server.request(.GET, binary), server.request(.HEAD, text))
        }
        try await harness.withServer { server in
            let (textRead, binaryRead, head) = try await (server.request(.GET, text), server.request(.GET, binary), server.request(.HEAD, text))
            #expect(textRead.status == .ok)
            #expect(textRead.bytes == before.0.bytes)
            #expect(textRead.nextOffset == before.0.nextOffset)
            #expect(textRead.header("Content-Type") == "text/plain; charset=utf-8")
            #expect(binaryRead.bytes == before.1.bytes)
            #expect(binaryRead.nextOffset == before.1.nextOffset)
            #expect(head.nextOffset == before.2.nextOffset)
            #expect(head.header("ETag") == before.2.header("ETag"))
            // Every offset handed out before the restart still reads the same bytes.
            let middle = try await server.request(.GET, "\(text)?offset=\(StreamOffset(position: 10))")
            #expect(middle.bytes == Array(before.0.bytes.dropFirst(10)))
        }
    }

    @Test func jsonMessageBoundariesSurviveARestart() async throws {
        let harness = try FileStoreHarness()
        defer { harness.remove() }
        let path = uniquePath("json")
        let readChunks: @Sendable (TestServer) async throws -> [String] = { server in
            var pages: [String] = []
            var offset = "-1"
            while true {
                let page = try await server.request(.GET, "\(path)?offset=\(offset)")
                pages.append(page.text)
                if page.header("Stream-Up-To-Date") == "true" { return pages }
                offset = try page.nextOffset.unwrap("next offset")
            }
        }
                let before = try await harness.withServer(configure: { $0.readChunkBytes = 24 }) { server in
            try await server.createStream(path, contentType: "application/json", body: #"[{"a":1},{"b":"two"}]"#)
            try await server.appendText(path, #"[{"c":[1,2,3]},"text, with comma",42]"#, contentType: "application/json")
            try await server.appendText(path, #"{"long":"\#(String(repeating: "x", count: 40))"}"#, contentType: "application/json")
            return try await readChunks(server)
        }
        #expect(before.count > 2)
        let after = try await harness.withServer(configure: { $0.readChunkBytes = 24 }) { server in try await readChunks(server) }
        #expect(after == before)
        let messages = try await harness.withServer { server in try (await server.request(.GET, path).json() as? [Any])?.count }
        #expect(messages == 6)
    }

    @Test func closureSequenceAndProducerStateSurviveARestart() async throws {
        let harness = try FileStoreHarness()
        defer { harness.remove() }
        let sequenced = uniquePath("seq")
        let produced = uniquePath("producer")
        let closed = uniquePath("closed")
        let producer = { (seq: Int) in [("Producer-Id", "writer-1"), ("Producer-Epoch", "3"), ("Producer-Seq", String(seq))] }
        try await harness.withServer { server in
            try await server.createStream(sequenced)
            try await server.appendText(sequenced, "a", headers: [("Stream-Seq", "005")])
            try await server.createStream(produced)
            let first = try await server.request(.POST, produced, headers: [("Content-Type", "text/plain")] + producer(0), text: "p0")
            #expect(first.status == .ok)
            let second = try await server.request(.POST, produced, headers: [("Content-Type", "text/plain")] + producer(1), text: "p1")
            #expect(second.status == .ok)
            try await server.createStream(closed, body: "done")
            let close = try await server.request(.POST, closed, headers: [("Stream-Closed", "true")] + producer(0))
            #expect(close.status == .noContent)
        }
        try await harness.withServer { server in
            let regression = try await server.request(.POST, sequenced, headers: [("Content-Type", "text/plain"), ("Stream-Seq", "004")], text: "b")
            #expect(regression.status == .conflict)
            try await server.appendText(sequenced, "c", headers: [("Stream-Seq", "006")])

            // The acknowledged retry is a duplicate, not a second copy.
            let retry = try await server.request(.POST, produced, headers: [("Content-Type", "text/plain")] + producer(1), text: "p1")
            #expect(retry.status == .noContent)
            #expect(retry.header("Producer-Seq") == "1")
            let gap = try await server.request(.POST, produced, headers: [("Content-Type", "text/plain")] + producer(3), text: "p3")
            #expect(gap.status == .conflict)
            let next = try await server.request(.POST, produced, headers: [("Content-Type", "text/plain")] + producer(2), text: "p2")
            #expect(next.status == .ok)
            #expect(try await server.request(.GET, produced).text == "p0p1p2")

            let head = try await server.request(.HEAD, closed)
            #expect(head.header("Stream-Closed") == "true")
            let rejected = try await server.request(.POST, closed, headers: [("Content-Type", "text/plain")], text: "more")
            #expect(rejected.status == .conflict)
            let closeRetry = try await server.request(.POST, closed, headers: [("Stream-Closed", "true")] + producer(0))
            #expect(closeRetry.status == .noContent)
            #expect(try await server.request(.GET, closed).text == "done")
        }
    }

    @Test func expiryRulesAndTheirClockSurviveARestart() async throws {
        let harness = try FileStoreHarness()
        defer { harness.remove() }
        let created = StoreTimestamp(milliseconds: 1_700_000_000_000)
        let later = StoreTimestamp(milliseconds: created.milliseconds + 4_000)
        try await harness.withStore { store in
            try await StoreCalls.create(store, "ttl", expiry: .ttl(seconds: 10), now: created)
            try await StoreCalls.create(store, "absolute", expiry: .expiresAt(milliseconds: created.milliseconds + 20_000), now: created)
            try await StoreCalls.create(store, "forever", now: created)
            // A read slides the TTL window; the store persists the new access time.
            _ = try await StoreCalls.read(store, "ttl", now: later)
        }
        try await harness.withStore { store in
            let ttl = try await StoreCalls.metadata(store, "ttl", now: later)
            #expect(ttl.expiry == .ttl(seconds: 10))
            #expect(ttl.expiresAt == StoreTimestamp(milliseconds: later.milliseconds + 10_000))
            #expect(ttl.createdAt == created)
            let absolute = try await StoreCalls.metadata(store, "absolute", now: later)
            #expect(absolute.expiresAt == StoreTimestamp(milliseconds: created.milliseconds + 20_000))
            // Past the slid deadline the stream is gone, exactly as before the restart.
            await #expect(throws: StoreError.notFound(path: "ttl")) {
                try await StoreCalls.metadata(store, "ttl", now: StoreTimestamp(milliseconds: later.milliseconds + 10_000))
            }
            #expect(store.removeExpired(now: StoreTimestamp(milliseconds: created.milliseconds + 20_000)) == ["absolute"])
        }
        try await harness.withStore { store in
            #expect(store.streamCount == 1)
            let forever = try await StoreCalls.metadata(store, "forever", now: later)
            #expect(forever.expiry == .none)
        }
    }
}
