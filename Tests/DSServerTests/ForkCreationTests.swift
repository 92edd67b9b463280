import DSTestSupport
import NIOCore
import NIOHTTP1
import Testing

/// Creating forks: PROTOCOL.md §4.2 and §5.1 — inheritance, content type, closed sources, idempotency, errors.
struct ForkCreationTests {
    @Test(arguments: StoreKind.allCases)
    func forkInheritsDataUpToTheOffsetAndAppendsOnItsOwn(_ kind: StoreKind) async throws {
        try await TestServer.with(kind) { server in
            let source = uniquePath("source")
            try await server.createStream(source, body: "hello ")
            let atFork = try await server.appendText(source, "world").nextOffset!
            try await server.appendText(source, " and more")

            let fork = uniquePath("fork")
            let created = try await server.createFork(fork, from: source, offset: atFork)
            #expect(created.nextOffset == atFork)
            #expect(created.header("Content-Type") == "text/plain")
            #expect(created.header("Location")?.hasSuffix(server.urlPath(fork)) == true)

            #expect(try await server.read(fork).text == "hello world")
            let appended = try await server.appendText(fork, "!")
            #expect(try await server.read(fork).text == "hello world!")
            #expect(try await server.read(source).text == "hello world and more")
            // The fork's own data starts at the fork offset: offsets are shared, not translated.
            let own = try await server.read(fork, offset: atFork)
            #expect(own.text == "!")
            #expect(own.nextOffset == appended.nextOffset)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func omittedOffsetForksAtTheSourcesTail(_ kind: StoreKind) async throws {
        try await TestServer.with(kind) { server in
            let source = uniquePath("source")
            try await server.createStream(source, body: "abc")
            let tail = try await server.appendText(source, "def").nextOffset
            let fork = uniquePath("fork")
            let created = try await server.createFork(fork, from: source)
            #expect(created.nextOffset == tail)
            try await server.appendText(source, "ghi")
            #expect(try await server.read(fork).text == "abcdef")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func forkAtTheStartInheritsNothing(_ kind: StoreKind) async throws {
        try await TestServer.with(kind) { server in
            let source = uniquePath("source")
            let start = try await server.createStream(source).nextOffset!
            try await server.appendText(source, "source data")
            let fork = uniquePath("fork")
            try await server.createFork(fork, from: source, offset: start)
            let read = try await server.read(fork)
            #expect(read.status == .ok)
            #expect(read.text == "")
            #expect(read.nextOffset == start)
        }
    }

    /// The offset sentinels of §8 are valid fork offsets: `-1` is the beginning, `now` the tail.
    @Test(arguments: StoreKind.allCases)
    func offsetSentinelsNameTheBeginningAndTheTail(_ kind: StoreKind) async throws {
        try await TestServer.with(kind) { server in
            let source = uniquePath("source")
            let start = try await server.createStream(source).nextOffset!
            let tail = try await server.appendText(source, "data").nextOffset!

            let beginning = uniquePath("beginning")
            #expect(try await server.createFork(beginning, from: source, offset: "-1").nextOffset == start)
            #expect(try await server.read(beginning).text == "")
            #expect(try await server.fork(beginning, from: source, offset: start).status == .ok)

            let now = uniquePath("now")
            #expect(try await server.createFork(now, from: source, offset: "now").nextOffset == tail)
            #expect(try await server.read(now).text == "data")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func initialBodyBecomesTheForksFirstOwnData(_ kind: StoreKind) async throws {
        try await TestServer.with(kind) { server in
            let source = uniquePath("source")
            try await server.createStream(source, body: "base|")
            let fork = uniquePath("fork")
            try await server.createFork(fork, from: source, body: "own")
            #expect(try await server.read(fork).text == "base|own")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func contentTypeIsInheritedWhenOmittedAndMustMatchWhenGiven(_ kind: StoreKind) async throws {
        try await TestServer.with(kind) { server in
            let source = uniquePath("source")
            try await server.createStream(source, contentType: "application/x-custom", body: "xyz")

            let inherited = uniquePath("inherited")
            try await server.createFork(inherited, from: source)
            #expect(try await server.request(.HEAD, inherited).header("Content-Type") == "application/x-custom")

            // Media types compare case-insensitively and without parameters.
            let matching = uniquePath("matching")
            try await server.createFork(matching, from: source, headers: [("Content-Type", "Application/X-Custom; v=1")])

            let mismatched = uniquePath("mismatched")
            let refused = try await server.fork(mismatched, from: source, headers: [("Content-Type", "text/plain")])
            #expect(refused.status == .conflict)
            #expect(try await server.headStatus(mismatched) == .notFound)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func forkOfAClosedStreamStartsOpen(_ kind: StoreKind) async throws {
        try await TestServer.with(kind) { server in
            let source = uniquePath("source")
            try await server.createStream(source, headers: [("Stream-Closed", "true")], body: "final")
            let fork = uniquePath("fork")
            let created = try await server.createFork(fork, from: source)
            #expect(created.header("Stream-Closed") == nil)
            #expect(try await server.request(.HEAD, fork).header("Stream-Closed") == nil)
            try await server.appendText(fork, " continued")
            #expect(try await server.read(fork).text == "final continued")
            #expect(try await server.request(.HEAD, source).header("Stream-Closed") == "true")

            // A fork may also be created closed, like any stream.
            let closedFork = uniquePath("closed-fork")
            let closed = try await server.createFork(closedFork, from: source, headers: [("Stream-Closed", "true")])
            #expect(closed.header("Stream-Closed") == "true")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func repeatedForkRequestIsIdempotent(_ kind: StoreKind) async throws {
        try await TestServer.with(kind) { server in
            let source = uniquePath("source")
            let first = try await server.createStream(source, body: "one").nextOffset!
            try await server.appendText(source, "two")
            let fork = uniquePath("fork")
            try await server.createFork(fork, from: source, offset: first)

            let again = try await server.fork(fork, from: source, offset: first)
            #expect(again.status == .ok)
            #expect(again.nextOffset == first)
            #expect(again.header("Location") == nil)
            // Adding the content type the fork inherited changes nothing.
            #expect(try await server.fork(fork, from: source, offset: first, headers: [("Content-Type", "text/plain")]).status == .ok)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func forkRequestWithDifferentConfigurationConflicts(_ kind: StoreKind) async throws {
        try await TestServer.with(kind) { server in
            let source = uniquePath("source")
            let first = try await server.createStream(source, body: "one").nextOffset!
            let second = try await server.appendText(source, "two").nextOffset!
            let other = uniquePath("other")
            try await server.createStream(other, body: "onetwo")
            let fork = uniquePath("fork")
            try await server.createFork(fork, from: source, offset: first)

            #expect(try await server.fork(fork, from: source, offset: second).status == .conflict)
            #expect(try await server.fork(fork, from: other, offset: first).status == .conflict)
            #expect(try await server.fork(fork, from: source, offset: first, subOffset: "1").status == .conflict)
            #expect(try await server.fork(fork, from: source, offset: first, headers: [("Stream-TTL", "60")]).status == .conflict)
            #expect(try await server.fork(fork, from: source, offset: first, headers: [("Stream-Closed", "true")]).status == .conflict)
            // A plain create at a fork's path, and a fork at a plain stream's path, differ in fork configuration.
            #expect(try await server.request(.PUT, fork, headers: [("Content-Type", "text/plain")]).status == .conflict)
            #expect(try await server.fork(other, from: source, offset: first).status == .conflict)
            #expect(try await server.read(other).text == "onetwo")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func forkOfAForkOfAForkReadsThroughTheWholeChain(_ kind: StoreKind) async throws {
        try await TestServer.with(kind) { server in
            let a = uniquePath("a")
            let aFirst = try await server.createStream(a, body: "a1").nextOffset!
            let aMid = try await server.appendText(a, "a2").nextOffset!
            try await server.appendText(a, "a3")

            let b = uniquePath("b")
            try await server.createFork(b, from: a, offset: aMid)
            let bMid = try await server.appendText(b, "b1").nextOffset!
            try await server.appendText(b, "b2")

            let c = uniquePath("c")
            try await server.createFork(c, from: b, offset: bMid)
            let cMid = try await server.appendText(c, "c1").nextOffset!
            try await server.appendText(c, "c2")

            // Three levels below `a`, forked inside `c`'s own data.
            let d = uniquePath("d")
            try await server.createFork(d, from: c, offset: cMid)
            try await server.appendText(d, "d1")
            // Also three deep, but forked at a position `c` inherits from `a`.
            let e = uniquePath("e")
            try await server.createFork(e, from: c, offset: aFirst)
            try await server.appendText(e, "e1")

            #expect(try await server.read(a).text == "a1a2a3")
            #expect(try await server.read(b).text == "a1a2b1b2")
            #expect(try await server.read(c).text == "a1a2b1c1c2")
            #expect(try await server.read(d).text == "a1a2b1c1d1")
            #expect(try await server.read(e).text == "a1e1")
            #expect(try await server.read(d, offset: aMid).text == "b1c1d1")
            #expect(try await server.read(d, offset: bMid).text == "c1d1")
        }
    }
}
