import DSTestSupport
import NIOCore
import NIOHTTP1
import Testing

/// Catch-up reads of forks stitch inherited and own data (PROTOCOL.md §4.2, §8 "Offsets and forked streams",
/// §9 "JSON mode and forked streams").
struct ForkReadTests {
    @Test(arguments: StoreKind.allCases)
    func readsSeeTheSourcesOffsetsUpToTheForkPoint(_ kind: StoreKind) async throws {
        try await TestServer.with(kind) { server in
            let source = uniquePath("source")
            let first = try await server.createStream(source, body: "one,").nextOffset!
            let second = try await server.appendText(source, "two,").nextOffset!
            try await server.appendText(source, "three,")
            let fork = uniquePath("fork")
            try await server.createFork(fork, from: source, offset: second)
            let own = try await server.appendText(fork, "fork-one,").nextOffset!

            // From an inherited offset: the rest of the inherited data, then the fork's own, in one response.
            let fromFirst = try await server.read(fork, offset: first)
            #expect(fromFirst.text == "two,fork-one,")
            #expect(fromFirst.nextOffset == own)
            #expect(fromFirst.header("Stream-Up-To-Date") == "true")
            // The same inherited offset on the source continues with the source's data.
            #expect(try await server.read(source, offset: first).text == "two,three,")
            // At the fork offset both diverge.
            #expect(try await server.read(fork, offset: second).text == "fork-one,")
            #expect(try await server.read(source, offset: second).text == "three,")
            // At the fork's tail: empty and up to date.
            let atTail = try await server.read(fork, offset: own)
            #expect(atTail.text == "")
            #expect(atTail.nextOffset == own)
            #expect(atTail.header("Stream-Up-To-Date") == "true")
            // `now` skips to the fork's own tail.
            #expect(try await server.read(fork, offset: "now").nextOffset == own)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func sourceAppendsAfterTheForkAreNeverVisible(_ kind: StoreKind) async throws {
        try await TestServer.with(kind) { server in
            let source = uniquePath("source")
            try await server.createStream(source, body: "shared")
            let fork = uniquePath("fork")
            let forkPoint = try await server.createFork(fork, from: source).nextOffset!
            try await server.appendText(source, "-source-only")
            #expect(try await server.read(fork).text == "shared")
            #expect(try await server.read(fork, offset: forkPoint).text == "")
            try await server.appendText(fork, "-fork-only")
            #expect(try await server.read(fork).text == "shared-fork-only")
            #expect(try await server.read(source).text == "shared-source-only")
        }
    }

    /// With a tiny chunk size every boundary is crossed in a separate response; following `Stream-Next-Offset`
    /// must still yield exactly the inherited bytes followed by the fork's own.
    @Test(arguments: StoreKind.allCases)
    func chunkedReadsCrossTheForkBoundary(_ kind: StoreKind) async throws {
        try await TestServer.with(kind, configure: { $0.readChunkBytes = 3 }) { server in
            let a = uniquePath("a")
            try await server.createStream(a, body: "aaaaa")
            let aFork = try await server.appendText(a, "AAAA").nextOffset!
            try await server.appendText(a, "zzzz")
            let b = uniquePath("b")
            try await server.createFork(b, from: a, offset: aFork)
            let bFork = try await server.appendText(b, "bbbbbbb").nextOffset!
            let c = uniquePath("c")
            try await server.createFork(c, from: b, offset: bFork)
            try await server.appendText(c, "cc")

            let (chunks, next) = try await server.readAll(c)
            #expect(chunks.map(\.text).joined() == "aaaaaAAAAbbbbbbbcc")
            #expect(chunks.allSatisfy { $0.body.readableBytes <= 3 })
            #expect(next == (try await server.read(c, offset: "now").nextOffset))
            // Starting in the middle of the inherited data works the same.
            let (rest, _) = try await server.readAll(c, from: aFork)
            #expect(rest.map(\.text).joined() == "bbbbbbbcc")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func jsonForkReturnsOneArrayAcrossTheBoundary(_ kind: StoreKind) async throws {
        try await TestServer.with(kind) { server in
            let source = uniquePath("source")
            try await server.createStream(source, contentType: "application/json", body: "[1,2]")
            let forkPoint = try await server.appendJSON(source, "[3]").nextOffset!
            try await server.appendJSON(source, "[100]")
            let fork = uniquePath("fork")
            try await server.createFork(fork, from: source, offset: forkPoint)
            try await server.appendJSON(fork, "[4,5]")
            try await server.appendJSON(fork, #"{"six":6}"#)

            let all = try await server.read(fork)
            #expect(all.header("Content-Type") == "application/json")
            #expect(all.text == #"[1,2,3,4,5,{"six":6}]"#)
            #expect(try jsonArray(try await server.read(source)) == [1, 2, 3, 100])
            #expect(try await server.read(fork, offset: forkPoint).text == #"[4,5,{"six":6}]"#)
        }
    }

    /// JSON reads return whole messages: a small chunk size still returns at least one message per response,
    /// never a partial one, on both sides of the boundary.
    @Test(arguments: StoreKind.allCases)
    func chunkedJSONReadsReturnWholeMessagesAcrossTheBoundary(_ kind: StoreKind) async throws {
        try await TestServer.with(kind, configure: { $0.readChunkBytes = 4 }) { server in
            let source = uniquePath("source")
            try await server.createStream(source, contentType: "application/json", body: "[10,2000000,3]")
            let fork = uniquePath("fork")
            try await server.createFork(fork, from: source)
            try await server.appendJSON(fork, "[4,5555555,6]")
            let (chunks, _) = try await server.readAll(fork)
            var values: [Int] = []
            for chunk in chunks { values += try jsonArray(chunk) }
            #expect(values == [10, 2_000_000, 3, 4, 5_555_555, 6])
            #expect(chunks.count > 2)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func headOnAForkReportsItsOwnState(_ kind: StoreKind) async throws {
        try await TestServer.with(kind) { server in
            let source = uniquePath("source")
            try await server.createStream(source, body: "abc")
            let fork = uniquePath("fork")
            try await server.createFork(fork, from: source)
            let tail = try await server.appendText(fork, "def").nextOffset
            let head = try await server.request(.HEAD, fork)
            #expect(head.status == .ok)
            #expect(head.nextOffset == tail)
            #expect(head.header("Content-Type") == "text/plain")
            #expect(try await server.request(.HEAD, source).nextOffset != tail)
        }
    }
}
