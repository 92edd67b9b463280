import DSFileStore
import DSProtocol
import DSStore
import DSTestSupport
import Testing

/// Requests that change nothing cost no disk sync, and a group costs one journal sync however many streams it writes.
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
            #expect(after.journalSyncs == before.journalSyncs)
            #expect(after.logSyncs == before.logSyncs)
        }
    }

    @Test func appendsSyncTheJournalOnceAndNoLog() async throws {
        let harness = try FileStoreHarness()
        defer { harness.remove() }
        try await harness.withStore { store in
            let paths = (0..<8).map { "s\($0)" }
            for path in paths { try await StoreCalls.create(store, path, body: "first") }
            let before = store.statistics
            for path in paths { try await StoreCalls.append(store, path, "second") }
            let after = store.statistics
            #expect(after.journalSyncs == before.journalSyncs + 8)
            #expect(after.logSyncs == 0)
            #expect(after.checkpoints == 0)
        }
    }
}
