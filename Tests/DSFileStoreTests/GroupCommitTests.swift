import DSFileStore
import DSProtocol
import DSStore
import DSTestSupport
import Testing

/// Requests that change nothing cost no disk sync.
struct GroupCommitTests {
    @Test func refusedAndDuplicateRequestsCommitNothing() async throws {
        let harness = try FileStoreHarness()
        defer { harness.remove() }
        try await harness.withStore { store in
            try await StoreCalls.create(store, "s", closed: false, body: "x")
            let producer = ProducerStamp(id: "p", epoch: 0, seq: 0)
            try await StoreCalls.append(store, "s", "y", seq: "2", producer: producer)
            let before = store.statistics
            try await StoreCalls.append(store, "s", "y", seq: "2", producer: producer)  // duplicate
            await #expect(throws: StoreError.sequenceRegression(last: "2", received: "1")) {
                try await StoreCalls.append(store, "s", "z", seq: "1")
            }
            await #expect(throws: StoreError.contentTypeMismatch(expected: StreamContentType("text/plain"), received: StreamContentType("application/json"))) {
                try await StoreCalls.append(store, "s", "1", contentType: "application/json")
            }
            try await StoreCalls.create(store, "s", body: "x")  // already exists with the same configuration
            let after = store.statistics
            #expect(after.requests == before.requests + 4)
            #expect(after.groupCommits == before.groupCommits)
            #expect(after.logSyncs == before.logSyncs)
        }
    }
}
