import DSFileStore
import DSProtocol
import DSServer
import DSStore
import DSTestSupport
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// Forks, their links, offsets, reference counts and soft-deleted sources survive closing the store and
/// opening its directory again.
struct ForkRestartTests {
    private func fork(_ server: TestServer, _ path: String, from source: String, offset: String? = nil, subOffset: String? = nil, headers: [(String, String)] = []) async throws -> TestResponse {
        var all = [("Stream-Forked-From", server.urlPath(source))]
        if let offset { all.append(("Stream-Fork-Offset", offset)) }
        if let subOffset { all.append(("Stream-Fork-Sub-Offset", subOffset)) }
        return try await server.request(.PUT, path, headers: all + headers)
    }

    @Test func forksAndChainsReadTheSameAfterARestart() async throws {
        let harness = try FileStoreHarness()
        defer { harness.remove() }
        let (a, b, c, json, jsonFork) = (uniquePath("a"), uniquePath("b"), uniquePath("c"), uniquePath("json"), uniquePath("json-fork"))
        struct Before: Sendable {
            var reads: [String: (text: String, next: String?)]
            var start: String
            var middle: String
        }
        let before = try await harness.withServer { server in
            let start = try await server.createStream(a).nextOffset!
            let middle = try await server.appendText(a, "hello").nextOffset!
            try await server.appendText(a, " world")
            // b inherits "hello wo" (a sub-offset inside a's second append), c forks b inside b's inherited data.
            #expect(try await fork(server, b, from: a, offset: middle, subOffset: "3", headers: [("Stream-TTL", "3600")]).status == .created)
            try await server.appendText(b, "nderland")
            #expect(try await fork(server, c, from: b, offset: start, subOffset: "4").status == .created)
            try await server.appendText(c, "!")
            try await server.createStream(json, contentType: "application/json", headers: [("Stream-TTL", "3600")], body: "[1,2,3]")
            #expect(try await fork(server, jsonFork, from: json, offset: start, subOffset: "2").status == .created)
            try await server.appendText(jsonFork, "[20]", contentType: "application/json")
            var reads: [String: (text: String, next: String?)] = [:]
            for path in [a, b, c, json, jsonFork] {
                let read = try await server.request(.GET, "\(path)?offset=-1")
                reads[path] = (read.text, read.nextOffset)
            }
            #expect(reads[b]?.text == "hello wonderland")
            #expect(reads[c]?.text == "hell!")
            #expect(reads[jsonFork]?.text == "[1,2,20]")
            return Before(reads: reads, start: start, middle: middle)
        }
        try await harness.withServer { server in
            for path in [a, b, c, json, jsonFork] {
                let read = try await server.request(.GET, "\(path)?offset=-1")
                #expect(read.text == before.reads[path]?.text, "\(path)")
                #expect(read.nextOffset == before.reads[path]?.next, "\(path)")
            }
            #expect(try await server.request(.GET, "\(b)?offset=\(before.middle)").text == " wonderland")
            // The fork configuration survived: the same requests are idempotent, different ones conflict.
            #expect(try await fork(server, b, from: a, offset: before.middle, subOffset: "3", headers: [("Stream-TTL", "3600")]).status == .ok)
            #expect(try await fork(server, b, from: a, offset: before.middle, subOffset: "2", headers: [("Stream-TTL", "3600")]).status == .conflict)
            // The inherited expiry too: a request without expiry headers still matches.
            #expect(try await fork(server, jsonFork, from: json, offset: before.start, subOffset: "2").status == .ok)
            #expect(try await server.request(.HEAD, jsonFork).header("Stream-TTL") == "3600")
            // Data boundaries survived: b's inherited data ends at its fork offset, a's append at its end.
            #expect(try await fork(server, uniquePath("d"), from: b, offset: before.start, subOffset: "6").status == .badRequest)
            #expect(try await fork(server, uniquePath("d"), from: a, offset: before.middle, subOffset: "7").status == .badRequest)
            // c's fork offset (4, inside a's first append) is a boundary too; c's own append is the next record.
            #expect(try await fork(server, uniquePath("d"), from: c, offset: before.start, subOffset: "5").status == .badRequest)
            let d = uniquePath("d")
            #expect(try await fork(server, d, from: c, offset: StreamOffset(position: 4).description, subOffset: "1").status == .created)
            #expect(try await server.request(.GET, "\(d)?offset=-1").text == "hell!")
            // Appends continue at the same offsets on every stream.
            try await server.appendText(c, "?")
            #expect(try await server.request(.GET, "\(c)?offset=-1").text == "hell!?")
            #expect(try await server.request(.GET, "\(a)?offset=-1").text == "hello world")
        }
    }

    @Test func aSoftDeletedSourceSurvivesARestartAndIsCollectedAfterItsLastFork() async throws {
        let harness = try FileStoreHarness()
        defer { harness.remove() }
        let (a, b, c) = (uniquePath("a"), uniquePath("b"), uniquePath("c"))
        let sourceLog = try await harness.withServer { server in
            try await server.createStream(a, body: "a")
            #expect(try await fork(server, b, from: a).status == .created)
            try await server.appendText(b, "b")
            #expect(try await fork(server, c, from: b).status == .created)
            try await server.appendText(c, "c")
            #expect(try await server.request(.DELETE, a).status == .noContent)
            #expect(try await server.request(.DELETE, b).status == .noContent)
            #expect(try await server.request(.HEAD, a).status == .gone)
            return try harness.logFile(of: a)
        }
        try await harness.withServer { server in
            for path in [a, b] {
                #expect(try await server.request(.HEAD, path).status == .gone, "\(path)")
                #expect(try await server.request(.GET, path).status == .gone, "\(path)")
                #expect(try await server.request(.PUT, path, headers: [("Content-Type", "text/plain")]).status == .conflict, "\(path)")
            }
            #expect(try await server.request(.GET, "\(c)?offset=-1").text == "abc")
            #expect(try await fork(server, uniquePath("x"), from: a).status == .conflict)
            #expect(FileManager.default.fileExists(atPath: sourceLog))

            // The last fork goes: the whole chain is collected, and its paths are free again.
            #expect(try await server.request(.DELETE, c).status == .noContent)
            for path in [c, b, a] {
                #expect(try await server.request(.HEAD, path).status == .notFound, "\(path)")
            }
            #expect(!FileManager.default.fileExists(atPath: sourceLog))
            try await server.createStream(a, body: "new")
        }
        try await harness.withServer { (server: TestServer) async throws in
            #expect(try await server.request(.GET, "\(a)?offset=-1").text == "new")
            #expect(try await server.request(.HEAD, b).status == .notFound)
        }
    }

    /// The last fork of a soft-deleted source expires: the sweep removes it and collects the source in the
    /// same commit, so after a restart neither exists and the path is free.
    @Test func expiryOfTheLastForkCollectsTheSourceDurably() async throws {
        let harness = try FileStoreHarness()
        defer { harness.remove() }
        let (source, fork) = (uniquePath("source"), uniquePath("fork"))
        let created = StoreTimestamp(milliseconds: 1_700_000_000_000)
        try await harness.withStore { store in
            try await StoreCalls.create(store, source, body: "data", now: created)
            let request = CreateStreamRequest(
                path: fork,
                contentType: nil,
                expiry: .expiresAt(milliseconds: created.milliseconds + 10_000),
                fork: ForkSpec(sourcePath: source, offset: nil),
                now: created
            )
            _ = try await store.create(request, on: StoreCalls.loop).get()
            _ = try await store.delete(path: source, now: created, on: StoreCalls.loop).get()
        }
        try await harness.withStore { store in
            let later = StoreTimestamp(milliseconds: created.milliseconds + 20_000)
            await #expect(throws: StoreError.gone(path: source)) { try await StoreCalls.metadata(store, source, now: later) }
            #expect(store.removeExpired(now: later) == [fork])
            try await eventually { store.streamCount == 0 }
        }
        try await harness.withStore { store in
            #expect(store.streamCount == 0)
            try await StoreCalls.create(store, source, body: "again")
        }
    }
}

extension ForkRestartTests {
    /// A binary append larger than one frame is still one record: a sub-offset may reach anywhere inside it, but
    /// not past its end, before and after a restart; reads of the fork cut the last inherited frame exactly.
    @Test func subOffsetsReachAcrossTheFramesOfOneLargeAppend() async throws {
        let harness = try FileStoreHarness()
        defer { harness.remove() }
        let source = uniquePath("source")
        let big = pseudoRandomBytes(count: 200_000, seed: 11)  // four frames of at most 64 KiB
        let start = StreamOffset(position: 0).description
        let atBig = StreamOffset(position: 5).description
        try await harness.withServer { server in
            try await server.createStream(source, contentType: "application/octet-stream", body: "small")
            let appended = try await server.request(.POST, source, headers: [("Content-Type", "application/octet-stream")], body: ByteBuffer(bytes: big))
            #expect(appended.status == .noContent)
            try await server.request(.POST, source, headers: [("Content-Type", "application/octet-stream")], text: "tail")
        }
        try await harness.withServer(configure: { $0.readChunkBytes = 50_000 }) { server in
            #expect(try await fork(server, uniquePath("f"), from: source, offset: start, subOffset: "6").status == .badRequest)
            #expect(try await fork(server, uniquePath("f"), from: source, offset: atBig, subOffset: "200001").status == .badRequest)
            #expect(try await fork(server, uniquePath("f"), from: source, offset: StreamOffset(position: 70_000).description, subOffset: "130006").status == .badRequest)
            let inside = uniquePath("inside")
            #expect(try await fork(server, inside, from: source, offset: StreamOffset(position: 70_000).description, subOffset: "130005").status == .created)
            let partial = uniquePath("partial")
            #expect(try await fork(server, partial, from: source, offset: atBig, subOffset: "150000").status == .created)
            try await server.request(.POST, partial, headers: [("Content-Type", "application/octet-stream")], text: "!")
            let readAll = { (path: String) async throws -> [UInt8] in
                var bytes: [UInt8] = []
                var offset = "-1"
                while true {
                    let page = try await server.request(.GET, "\(path)?offset=\(offset)")
                    guard page.status == .ok else { throw TestFailure("reading \(path) answered \(page.status)") }
                    bytes += page.bytes
                    offset = try page.nextOffset.unwrap("next offset")
                    if page.header("Stream-Up-To-Date") == "true" { return bytes }
                }
            }
            #expect(try await readAll(partial) == Array("small".utf8) + Array(big.prefix(150_000)) + Array("!".utf8))
            #expect(try await readAll(inside) == Array("small".utf8) + big)
        }
    }
}

/// Polls `condition` for up to 30 seconds.
private func eventually(_ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(30)
    while try await !condition() {
        guard ContinuousClock.now < deadline else { throw TestFailure("timed out") }
        try await Task.sleep(for: .milliseconds(10))
    }
}
