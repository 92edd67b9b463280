import DSTestSupport
import NIOCore
import NIOHTTP1
import Testing

/// The fork error table of PROTOCOL.md §4.2, and the rule that a refused fork leaves nothing behind.
struct ForkErrorTests {
    @Test(arguments: StoreKind.allCases)
    func missingSourceIsNotFound(_ kind: StoreKind) async throws {
        try await TestServer.with(kind) { server in
            let fork = uniquePath("fork")
            #expect(try await server.fork(fork, from: uniquePath("missing")).status == .notFound)
            // A path outside the stream root names no stream either.
            let outside = try await server.request(.PUT, fork, headers: [("Stream-Forked-From", "/elsewhere/stream")])
            #expect(outside.status == .notFound)
            #expect(try await server.headStatus(fork) == .notFound)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func offsetBeyondTheSourcesTailIsRejected(_ kind: StoreKind) async throws {
        try await TestServer.with(kind) { server in
            let source = uniquePath("source")
            try await server.createStream(source, body: "short")
            let longer = uniquePath("longer")
            let beyond = try await server.createStream(longer, body: "a much longer stream").nextOffset!
            let fork = uniquePath("fork")
            #expect(try await server.fork(fork, from: source, offset: beyond).status == .badRequest)
            #expect(try await server.headStatus(fork) == .notFound)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func malformedOffsetIsRejected(_ kind: StoreKind) async throws {
        try await TestServer.with(kind) { server in
            let source = uniquePath("source")
            let tail = try await server.createStream(source, body: "data").nextOffset!
            for bad in ["abc", "", "\(tail)x", String(tail.dropLast()), "1_2"] {
                let response = try await server.fork(uniquePath("fork"), from: source, offset: bad)
                #expect(response.status == .badRequest, "Stream-Fork-Offset: \(bad)")
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func malformedSubOffsetIsRejected(_ kind: StoreKind) async throws {
        try await TestServer.with(kind) { server in
            let source = uniquePath("source")
            let start = try await server.createStream(source).nextOffset!
            try await server.appendText(source, "0123456789")
            for bad in ["-1", "abc", "1.5", "+1", "01", "", "1e2"] {
                let response = try await server.fork(uniquePath("fork"), from: source, offset: start, subOffset: bad)
                #expect(response.status == .badRequest, "Stream-Fork-Sub-Offset: \(bad)")
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func forkHeadersWithoutForkedFromAreRejected(_ kind: StoreKind) async throws {
        try await TestServer.with(kind) { server in
            let source = uniquePath("source")
            let tail = try await server.createStream(source, body: "data").nextOffset!
            let withOffset = uniquePath("plain")
            let offsetOnly = try await server.request(.PUT, withOffset, headers: [("Stream-Fork-Offset", tail)])
            #expect(offsetOnly.status == .badRequest)
            let subOffsetOnly = try await server.request(.PUT, withOffset, headers: [("Stream-Fork-Sub-Offset", "0")])
            #expect(subOffsetOnly.status == .badRequest)
            #expect(try await server.headStatus(withOffset) == .notFound)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func softDeletedSourceCannotBeForked(_ kind: StoreKind) async throws {
        try await TestServer.with(kind) { server in
            let source = uniquePath("source")
            try await server.createStream(source, body: "data")
            try await server.createFork(uniquePath("keeper"), from: source)
            #expect(try await server.request(.DELETE, source).status == .noContent)
            let fork = uniquePath("fork")
            #expect(try await server.fork(fork, from: source).status == .conflict)
            #expect(try await server.headStatus(fork) == .notFound)
        }
    }

    /// Every refused fork request must leave the source's reference count untouched: afterwards the source
    /// has no forks, so deleting it removes it for good (`404`, path free) instead of soft-deleting it (`410`).
    @Test(arguments: StoreKind.allCases)
    func refusedForksLeaveNoReferenceBehind(_ kind: StoreKind) async throws {
        try await TestServer.with(kind) { server in
            let source = uniquePath("source")
            let start = try await server.createStream(source).nextOffset!
            let tail = try await server.appendText(source, "0123456789").nextOffset!
            let beyond = try await server.createStream(uniquePath("longer"), body: "0123456789 and beyond").nextOffset!
            let taken = uniquePath("taken")
            try await server.createStream(taken)

            let refusals: [(String, TestResponse)] = [
                ("offset beyond tail", try await server.fork(uniquePath("f"), from: source, offset: beyond)),
                ("sub-offset overshoot", try await server.fork(uniquePath("f"), from: source, offset: start, subOffset: "11")),
                ("sub-offset at the tail", try await server.fork(uniquePath("f"), from: source, offset: tail, subOffset: "1")),
                ("content type", try await server.fork(uniquePath("f"), from: source, headers: [("Content-Type", "application/json")])),
                ("target in use", try await server.fork(taken, from: source)),
                ("bad TTL", try await server.fork(uniquePath("f"), from: source, headers: [("Stream-TTL", "-5")])),
                ("TTL and Expires-At", try await server.fork(
                    uniquePath("f"), from: source, headers: [("Stream-TTL", "5"), ("Stream-Expires-At", rfc3339(secondsFromNow: 60))]
                )),
                ("malformed sub-offset", try await server.fork(uniquePath("f"), from: source, subOffset: "x")),
            ]
            for (reason, response) in refusals {
                #expect(response.status == .badRequest || response.status == .conflict, "\(reason): \(response.status)")
            }

            #expect(try await server.request(.DELETE, source).status == .noContent)
            #expect(try await server.headStatus(source) == .notFound)
            #expect(try await server.request(.PUT, source, headers: [("Content-Type", "text/plain")]).status == .created)
        }
    }

    /// A repeated fork request (`200`) must not take a second reference.
    @Test(arguments: StoreKind.allCases)
    func idempotentForkTakesOneReference(_ kind: StoreKind) async throws {
        try await TestServer.with(kind) { server in
            let source = uniquePath("source")
            try await server.createStream(source, body: "data")
            let fork = uniquePath("fork")
            try await server.createFork(fork, from: source)
            #expect(try await server.fork(fork, from: source).status == .ok)
            #expect(try await server.fork(fork, from: source).status == .ok)
            // Deleting the fork drops its one reference, so the source is an ordinary stream again.
            #expect(try await server.request(.DELETE, fork).status == .noContent)
            #expect(try await server.request(.DELETE, source).status == .noContent)
            #expect(try await server.headStatus(source) == .notFound)
        }
    }
}
