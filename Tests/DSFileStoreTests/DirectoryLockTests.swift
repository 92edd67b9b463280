import DSFileStore
import DSStore
import DSTestSupport
import Testing

/// One store per data directory: a second one is refused with a clear reason, and the directory is free again
/// as soon as the first closes.
struct DirectoryLockTests {
    @Test func aSecondStoreOnTheSameDirectoryIsRefusedUntilTheFirstCloses() async throws {
        var options = FileStoreOptions.forTests
        options.lockWait = .milliseconds(200)
        var harness = try FileStoreHarness(options: options)
        defer { harness.remove() }
        let first = try harness.open()
        #expect {
            try harness.open()
        } throws: { error in
            "\(error)".contains("is another server using this data directory?")
        }
        try await first.close()
        // The refused open gave up after a short wait; the reopen waits as every other reopen in the tests does,
        // because a child process another test spawns just now briefly holds a copy of the closed store's lock.
        harness.options.lockWait = FileStoreOptions.forTests.lockWait
        let second = try harness.open()
        try await second.close()
    }

    @Test func aReadOnlyOpenWaitsForTheWriterToLetGo() async throws {
        var harness = try FileStoreHarness(options: .forTests)
        defer { harness.remove() }
        let writer = try harness.open()
        harness.options.readOnly = true
        harness.options.lockWait = .milliseconds(200)
        #expect {
            try harness.open()
        } throws: { error in
            "\(error)".contains("is another server using this data directory?")
        }
        // Opened while the writer still holds the directory, it gets the lock once the writer lets go.
        harness.options.lockWait = FileStoreOptions.forTests.lockWait
        let patient = harness
        let reader = Task.detached { try patient.open() }
        try await Task.sleep(for: .milliseconds(100))
        try await writer.close()
        let store = try await reader.value
        #expect(store.isReadOnly)
        try await store.close()
    }
}
