import DSTestSupport
import NIOCore
import NIOHTTP1
import Testing

/// `Stream-Fork-Sub-Offset` (PROTOCOL.md §4.2, §8 "Sub-offset addressing").
///
/// Byte streams: bytes past the anchor, at most up to the next data boundary, which is the end of the append
/// that contains the anchor (or the fork offset of a descendant, for data a fork inherits).
/// JSON streams: whole flattened messages past the anchor, as many as exist before the tail.
struct ForkSubOffsetTests {
    @Test(arguments: StoreKind.allCases)
    func byteSubOffsetInheritsPartOfTheNextAppend(_ kind: StoreKind) async throws {
        try await TestServer.with(kind) { server in
            let source = uniquePath("source")
            let start = try await server.createStream(source).nextOffset!
            let first = try await server.appendText(source, "hello").nextOffset!
            try await server.appendText(source, " world")

            let partial = uniquePath("partial")
            let created = try await server.createFork(partial, from: source, offset: first, subOffset: "3")
            #expect(try await server.read(partial).text == "hello wo")
            #expect(created.nextOffset == (try await server.read(partial).nextOffset))
            let tail = try await server.appendText(partial, "nderland").nextOffset!
            #expect(try await server.read(partial).text == "hello wonderland")
            #expect(try await server.read(partial, offset: first).text == " wonderland")
            #expect(tail > first)

            let fromStart = uniquePath("from-start")
            try await server.createFork(fromStart, from: source, offset: start, subOffset: "2")
            #expect(try await server.read(fromStart).text == "he")

            // Up to the boundary exactly is allowed; sub-offset 0 is the same as no header.
            let whole = uniquePath("whole")
            try await server.createFork(whole, from: source, offset: first, subOffset: "6")
            #expect(try await server.read(whole).text == "hello world")
            let zero = uniquePath("zero")
            try await server.createFork(zero, from: source, offset: first, subOffset: "0")
            #expect(try await server.read(zero).text == "hello")
            #expect(try await server.fork(zero, from: source, offset: first).status == .ok)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func byteSubOffsetPastTheNextBoundaryIsRejected(_ kind: StoreKind) async throws {
        try await TestServer.with(kind) { server in
            let source = uniquePath("source")
            let start = try await server.createStream(source).nextOffset!
            let first = try await server.appendText(source, "hello").nextOffset!
            let tail = try await server.appendText(source, " world").nextOffset!

            #expect(try await server.fork(uniquePath("f"), from: source, offset: start, subOffset: "6").status == .badRequest)
            #expect(try await server.fork(uniquePath("f"), from: source, offset: first, subOffset: "7").status == .badRequest)
            #expect(try await server.fork(uniquePath("f"), from: source, offset: tail, subOffset: "1").status == .badRequest)
            // Omitted offset = the tail, where no data follows.
            #expect(try await server.fork(uniquePath("f"), from: source, subOffset: "1").status == .badRequest)
        }
    }

    /// In a fork, the data it inherits ends at its fork offset: that is a boundary for forks of the fork,
    /// even when the fork offset was itself placed inside a source append by a sub-offset.
    @Test(arguments: StoreKind.allCases)
    func subOffsetIntoInheritedDataStopsAtTheForkPoint(_ kind: StoreKind) async throws {
        try await TestServer.with(kind) { server in
            let a = uniquePath("a")
            let start = try await server.createStream(a).nextOffset!
            try await server.appendText(a, "abcdefgh")
            let b = uniquePath("b")
            try await server.createFork(b, from: a, offset: start, subOffset: "5")
            try await server.appendText(b, "XYZ")
            #expect(try await server.read(b).text == "abcdeXYZ")

            let c = uniquePath("c")
            try await server.createFork(c, from: b, offset: start, subOffset: "4")
            #expect(try await server.read(c).text == "abcd")
            #expect(try await server.fork(uniquePath("c"), from: b, offset: start, subOffset: "6").status == .badRequest)
            let d = uniquePath("d")
            try await server.createFork(d, from: b, offset: start, subOffset: "5")
            try await server.appendText(d, "!")
            #expect(try await server.read(d).text == "abcde!")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func jsonSubOffsetCountsWholeMessages(_ kind: StoreKind) async throws {
        try await TestServer.with(kind) { server in
            let source = uniquePath("source")
            let start = try await server.createStream(source, contentType: "application/json").nextOffset!
            let batch = try await server.appendJSON(source, #"[1,{"two":[2,2]},"three"]"#).nextOffset!
            try await server.appendJSON(source, "[4,5]")

            let two = uniquePath("two")
            try await server.createFork(two, from: source, offset: start, subOffset: "2")
            #expect(try await server.read(two).text == #"[1,{"two":[2,2]}]"#)
            try await server.appendJSON(two, "[9]")
            #expect(try await server.read(two).text == #"[1,{"two":[2,2]},9]"#)

            // Whole messages may run past the batch that holds the anchor, up to the tail.
            let four = uniquePath("four")
            try await server.createFork(four, from: source, offset: start, subOffset: "4")
            #expect(try await server.read(four).text == #"[1,{"two":[2,2]},"three",4]"#)
            let fromBatch = uniquePath("from-batch")
            try await server.createFork(fromBatch, from: source, offset: batch, subOffset: "1")
            #expect(try await server.read(fromBatch).text == #"[1,{"two":[2,2]},"three",4]"#)

            let all = uniquePath("all")
            try await server.createFork(all, from: source, offset: start, subOffset: "5")
            #expect(try await server.read(all).text == #"[1,{"two":[2,2]},"three",4,5]"#)
            #expect(try await server.fork(uniquePath("f"), from: source, offset: start, subOffset: "6").status == .badRequest)
            #expect(try await server.fork(uniquePath("f"), from: source, offset: batch, subOffset: "3").status == .badRequest)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func jsonSubOffsetThroughAForkChain(_ kind: StoreKind) async throws {
        try await TestServer.with(kind) { server in
            let a = uniquePath("a")
            let start = try await server.createStream(a, contentType: "application/json").nextOffset!
            try await server.appendJSON(a, "[1,2,3,4]")
            let b = uniquePath("b")
            try await server.createFork(b, from: a, offset: start, subOffset: "2")
            try await server.appendJSON(b, "[20,30]")
            let c = uniquePath("c")
            // Three messages from the start of `b`: two inherited from `a`, one of `b`'s own.
            try await server.createFork(c, from: b, offset: start, subOffset: "3")
            try await server.appendJSON(c, "[300]")
            #expect(try await server.read(c).text == "[1,2,20,300]")
            #expect(try await server.fork(uniquePath("f"), from: b, offset: start, subOffset: "5").status == .badRequest)
        }
    }

    /// A sub-offset inside an idempotent producer's batch gives the fork the partial data, and the fork's
    /// writer state starts fresh: the producer re-bootstraps there, while the source keeps its own state.
    @Test(arguments: StoreKind.allCases)
    func subOffsetInsideAProducerBatchKeepsWriterStateApart(_ kind: StoreKind) async throws {
        try await TestServer.with(kind) { server in
            let source = uniquePath("source")
            let start = try await server.createStream(source, contentType: "application/json").nextOffset!
            let producer = [("Producer-Id", "p"), ("Producer-Epoch", "0"), ("Producer-Seq", "0")]
            #expect(try await server.appendJSON(source, "[1,2,3]", headers: producer).status == .ok)
            let fork = uniquePath("fork")
            try await server.createFork(fork, from: source, offset: start, subOffset: "1")
            #expect(try await server.read(fork).text == "[1]")
            // The same stamp is new on the fork (appended: 200), a duplicate on the source (204).
            #expect(try await server.appendJSON(fork, "[2,3]", headers: producer).status == .ok)
            #expect(try await server.appendJSON(source, "[1,2,3]", headers: producer).status == .noContent)
            #expect(try await server.read(fork).text == "[1,2,3]")
        }
    }
}

extension TestServer {
    /// Appends JSON with extra headers, requiring success.
    @discardableResult
    func appendJSON(_ path: String, _ json: String, headers: [(String, String)]) async throws -> TestResponse {
        try await appendText(path, json, contentType: "application/json", headers: headers)
    }
}
