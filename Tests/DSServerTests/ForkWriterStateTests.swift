import DSTestSupport
import NIOCore
import NIOHTTP1
import Testing

/// Forks never inherit idempotent producer state or `Stream-Seq` (PROTOCOL.md §4.2 "Producer state and fork
/// boundaries").
struct ForkWriterStateTests {
    @Test(arguments: StoreKind.allCases)
    func producerStateStartsFreshOnAFork(_ kind: StoreKind) async throws {
        try await TestServer.with(kind) { server in
            let source = uniquePath("source")
            try await server.createStream(source)
            for seq in 0..<3 {
                let stamp = [("Producer-Id", "writer"), ("Producer-Epoch", "2"), ("Producer-Seq", String(seq))]
                #expect(try await server.appendText(source, "s\(seq)", headers: stamp).status == .ok)
            }
            let fork = uniquePath("fork")
            try await server.createFork(fork, from: source)

            // On the source epoch 2 seq 0 is an old duplicate and epoch 0 is stale; on the fork the producer is
            // unknown, so starting at seq 0 in any epoch is new data.
            let replay = [("Producer-Id", "writer"), ("Producer-Epoch", "2"), ("Producer-Seq", "0")]
            #expect(try await server.appendText(source, "s0", headers: replay).status == .noContent)
            let older = [("Producer-Id", "writer"), ("Producer-Epoch", "0"), ("Producer-Seq", "0")]
            #expect(try await server.request(.POST, source, headers: [("Content-Type", "text/plain")] + older, text: "x").status == .forbidden)
            #expect(try await server.appendText(fork, "f0", headers: older).status == .ok)
            // Continuing the source's sequence on the fork is a gap there.
            let continued = [("Producer-Id", "writer"), ("Producer-Epoch", "0"), ("Producer-Seq", "3")]
            #expect(try await server.request(.POST, fork, headers: [("Content-Type", "text/plain")] + continued, text: "x").status == .conflict)
            #expect(try await server.read(fork).text == "s0s1s2f0")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func streamSeqStartsFreshOnAFork(_ kind: StoreKind) async throws {
        try await TestServer.with(kind) { server in
            let source = uniquePath("source")
            try await server.createStream(source)
            try await server.appendText(source, "1", headers: [("Stream-Seq", "m")])
            let fork = uniquePath("fork")
            try await server.createFork(fork, from: source)

            let lower = [("Content-Type", "text/plain"), ("Stream-Seq", "a")]
            #expect(try await server.request(.POST, source, headers: lower, text: "2").status == .conflict)
            #expect(try await server.request(.POST, fork, headers: lower, text: "2").status == .noContent)
            #expect(try await server.request(.POST, fork, headers: lower, text: "3").status == .conflict)
            #expect(try await server.read(fork).text == "12")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func closingAForkLeavesTheSourceOpenAndViceVersa(_ kind: StoreKind) async throws {
        try await TestServer.with(kind) { server in
            let source = uniquePath("source")
            try await server.createStream(source, body: "a")
            let fork = uniquePath("fork")
            try await server.createFork(fork, from: source)

            let closed = try await server.request(.POST, fork, headers: [("Stream-Closed", "true")])
            #expect(closed.status == .noContent)
            #expect(closed.header("Stream-Closed") == "true")
            try await server.appendText(source, "b")
            #expect(try await server.request(.POST, fork, headers: [("Content-Type", "text/plain")], text: "c").status == .conflict)
            let eof = try await server.read(fork)
            #expect(eof.text == "a")
            #expect(eof.header("Stream-Closed") == "true")
            #expect(try await server.read(source).text == "ab")
        }
    }
}
