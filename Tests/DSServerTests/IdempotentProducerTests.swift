import DSTestSupport
import NIOCore
import NIOHTTP1
import Testing

/// Idempotent producers (PROTOCOL.md §5.2.1).
struct IdempotentProducerTests {
    private func send(
        _ server: TestServer, _ path: String, _ body: String, id: String = "p1", epoch: Int, seq: Int, extra: [(String, String)] = []
    ) async throws -> TestResponse {
        try await server.request(
            .POST, path,
            headers: [("Content-Type", "text/plain"), ("Producer-Id", id), ("Producer-Epoch", String(epoch)), ("Producer-Seq", String(seq))] + extra,
            text: body
        )
    }

    @Test(arguments: StoreKind.allCases)
    func acceptsInOrderAndDeduplicatesRetries(store: StoreKind) async throws {
        try await TestServer.with(store) { (server: TestServer) async throws in
            let path = uniquePath()
            try await server.createStream(path)
            let first = try await send(server, path, "a", epoch: 0, seq: 0)
            #expect(first.status == .ok)
            #expect(first.header("Producer-Epoch") == "0")
            #expect(first.header("Producer-Seq") == "0")
            #expect(try await send(server, path, "b", epoch: 0, seq: 1).status == .ok)
            let retry = try await send(server, path, "a", epoch: 0, seq: 0)
            #expect(retry.status == .noContent)
            #expect(retry.header("Producer-Seq") == "1")
            #expect(try await send(server, path, "b", epoch: 0, seq: 1).status == .noContent)
            #expect(try await server.request(.GET, path).text == "ab")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func gapsStaleEpochsAndBadEpochStarts(store: StoreKind) async throws {
        try await TestServer.with(store) { (server: TestServer) async throws in
            let path = uniquePath()
            try await server.createStream(path)
            #expect(try await send(server, path, "a", epoch: 0, seq: 0).status == .ok)
            let gap = try await send(server, path, "c", epoch: 0, seq: 2)
            #expect(gap.status == .conflict)
            #expect(gap.header("Producer-Expected-Seq") == "1")
            #expect(gap.header("Producer-Received-Seq") == "2")
            #expect(try await send(server, path, "x", epoch: 1, seq: 5).status == .badRequest)
            #expect(try await send(server, path, "b", epoch: 1, seq: 0).status == .ok)
            let zombie = try await send(server, path, "z", epoch: 0, seq: 1)
            #expect(zombie.status == .forbidden)
            #expect(zombie.header("Producer-Epoch") == "1")
            // Producers are independent of each other.
            #expect(try await send(server, path, "q", id: "p2", epoch: 0, seq: 0).status == .ok)
            #expect(try await server.request(.GET, path).text == "abq")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func malformedProducerHeadersAreRejected(store: StoreKind) async throws {
        try await TestServer.with(store) { (server: TestServer) async throws in
            let path = uniquePath()
            try await server.createStream(path)
            let cases: [[(String, String)]] = [
                [("Producer-Id", "p")],
                [("Producer-Id", "p"), ("Producer-Epoch", "0")],
                [("Producer-Id", ""), ("Producer-Epoch", "0"), ("Producer-Seq", "0")],
                [("Producer-Id", "p"), ("Producer-Epoch", "-1"), ("Producer-Seq", "0")],
                [("Producer-Id", "p"), ("Producer-Epoch", "0"), ("Producer-Seq", "1.5")],
                [("Producer-Id", "p"), ("Producer-Epoch", "9007199254740992"), ("Producer-Seq", "0")],
            ]
            for headers in cases {
                let response = try await server.request(.POST, path, headers: [("Content-Type", "text/plain")] + headers, text: "x")
                #expect(response.status == .badRequest, "\(headers)")
            }
            #expect(try await server.request(.GET, path).body.readableBytes == 0)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func closingProducerRequestIsRecognisedOnRetry(store: StoreKind) async throws {
        try await TestServer.with(store) { (server: TestServer) async throws in
            let path = uniquePath()
            try await server.createStream(path)
            let closing = try await send(server, path, "end", epoch: 0, seq: 0, extra: [("Stream-Closed", "true")])
            #expect(closing.status == .ok)
            #expect(closing.header("Stream-Closed") == "true")
            let retry = try await send(server, path, "end", epoch: 0, seq: 0, extra: [("Stream-Closed", "true")])
            #expect(retry.status == .noContent)
            #expect(retry.header("Stream-Closed") == "true")
            let other = try await send(server, path, "more", epoch: 0, seq: 1)
            #expect(other.status == .conflict)
            #expect(other.header("Stream-Closed") == "true")
            #expect(try await server.request(.GET, path).text == "end")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func concurrentRequestsFromOneProducerAreSerialised(store: StoreKind) async throws {
        try await TestServer.with(store) { (server: TestServer) async throws in
            let path = uniquePath()
            try await server.createStream(path)
            // Send 0...19 concurrently; some may arrive early and get 409, so retry until all are acknowledged.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for seq in 0..<20 {
                    group.addTask {
                        for _ in 0..<200 {
                            let response = try await self.send(server, path, String(format: "%02d,", seq), epoch: 0, seq: seq)
                            if response.status == .ok || response.status == .noContent { return }
                            #expect(response.status == .conflict)
                            try await Task.sleep(nanoseconds: 2_000_000)
                        }
                        throw TestFailure("seq \(seq) never accepted")
                    }
                }
                try await group.waitForAll()
            }
            let expected = (0..<20).map { String(format: "%02d,", $0) }.joined()
            #expect(try await server.request(.GET, path).text == expected)
        }
    }
}
