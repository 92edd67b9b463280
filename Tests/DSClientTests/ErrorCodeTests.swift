import DSClient
import DSProtocol
import DSTestSupport
import Foundation
import Testing

/// The error codes the issue names that no other suite reaches end to end: a soft-deleted stream is `gone`, a
/// producer whose sequence the server cannot place fails with `sequenceGap` and the server's numbers, and a
/// stale epoch carries the server's epoch header.
struct ErrorCodeTests {
    static func isGone(_ error: any Error) -> Bool {
        guard let error = error as? DurableStreamError else { return false }
        return error.code == .gone && error.status == 410
    }

    @Test func aDeletedStreamThatForksStillUseIsGone() async throws {
        try await TestServer.with { server in
            let source = server.stream("gone-source")
            try await source.create(contentType: "text/plain", initialData: StreamBody(text: "kept for the fork"))
            let fork = server.stream("gone-fork")
            try await fork.create(fork: ForkOptions(source: source))
            try await source.delete()

            await #expect { try await source.head() } throws: { Self.isGone($0) }
            await #expect { try await source.append("more") } throws: { Self.isGone($0) }
            await #expect { try await source.readAll() } throws: { Self.isGone($0) }
            await #expect { try await source.delete() } throws: { Self.isGone($0) }
            // The fork still reads the data the source held.
            #expect(String(buffer: try await fork.readAll().data) == "kept for the fork")
        }
    }

    @Test func aGapTheProducerCannotExplainFailsItWithTheServersNumbers() async throws {
        try await TestServer.with { server in
            let stream = server.stream()
            try await stream.create(contentType: "text/plain")
            let reported = ErrorBox()
            let producer = stream.producer(id: "gap", options: ProducerOptions(onError: { reported.set($0) }))
            try await producer.append("a")
            try await withTimeout { try await producer.flush() }  // seq 0

            // The stream is replaced behind the producer's back: the server knows nothing of seq 0.
            try await stream.delete()
            try await stream.create(contentType: "text/plain")
            try await producer.append("b")  // seq 1
            await #expect {
                try await withTimeout { try await producer.flush() }
            } throws: { error in
                guard let error = error as? DurableStreamError else { return false }
                return error.code == .sequenceGap(expected: 0, received: 1) && error.status == 409
                    && error.header(ProtocolHeader.producerExpectedSeq) == "0"
                    && error.header(ProtocolHeader.producerReceivedSeq) == "1"
            }
            #expect(reported.value?.code == .sequenceGap(expected: 0, received: 1))
            #expect(try await stream.readAll().data.readableBytes == 0)
        }
    }

    @Test func aStaleEpochCarriesTheServersEpoch() async throws {
        try await TestServer.with { server in
            let stream = server.stream()
            try await stream.create(contentType: "text/plain")
            let successor = stream.producer(id: "fenced", epoch: 3)
            try await successor.append("new")
            try await withTimeout { try await successor.flush() }

            let zombie = stream.producer(id: "fenced", epoch: 2)
            try await zombie.append("old")
            await #expect {
                try await withTimeout { try await zombie.flush() }
            } throws: { error in
                guard let error = error as? DurableStreamError else { return false }
                return error.code == .staleEpoch(currentEpoch: 3) && error.status == 403
                    && error.header(ProtocolHeader.producerEpoch) == "3"
            }
            #expect(String(buffer: try await stream.readAll().data) == "new")
        }
    }
}
