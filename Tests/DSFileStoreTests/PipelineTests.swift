import DSFileStore
import DSProtocol
import DSStore
import DSTestSupport
import Dispatch
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The writer pipelines group commits: group N+1 is applied, written and synced while group N commits its
/// metadata. These tests hold N's LMDB commit until N+1 has reached its log writes, so N+1 is built on N's
/// unpublished state every time, then let N succeed or fail.
struct PipelineTests {
    @Test func aGroupBuiltOnACommittingOneSeesItsStreamsAndData() async throws {
        let gate = CommitGate(release: .writeLog)
        var harness = try FileStoreHarness()
        harness.options.faultInjector = gate.injector
        defer { harness.remove() }
        try await harness.withStore { store in
            try await StoreCalls.create(store, "old", body: "a")
            gate.arm()
            // Group N creates a stream with data and appends to an old one; N+1 appends to both.
            let first = Task { try await StoreCalls.create(store, "new", body: "x") }
            try await gate.waitUntilCommitHeld()
            let second = Task { try await StoreCalls.append(store, "new", "y") }
            let third = Task { try await StoreCalls.append(store, "old", "b") }
            guard case .created = try await first.value else { throw TestFailure("the stream was not created") }
            #expect(try await second.value.kind == .appended)
            #expect(try await third.value.kind == .appended)
            #expect(try await readText(store, "new") == "xy")
            #expect(try await readText(store, "old") == "ab")
        }
        try await harness.withStore { store in
            let (new, old) = (try await readText(store, "new"), try await readText(store, "old"))
            #expect(new == "xy")
            #expect(old == "ab")
        }
    }

    @Test func aGroupBuiltOnAFailedOneFailsTooAndBothAreCutBack() async throws {
        let gate = CommitGate(release: .writeLog, commitError: EIO)
        var harness = try FileStoreHarness()
        harness.options.faultInjector = gate.injector
        defer { harness.remove() }
        let producer = ProducerStamp(id: "p", epoch: 0, seq: 0)
        try await harness.withStore { store in
            try await StoreCalls.create(store, "old", body: "a")
            let size = try harness.fileSize(harness.logFile(of: "old"))

            // N creates a stream with data, N+1 appends to it.
            gate.arm()
            let create = Task { try await StoreCalls.create(store, "new", body: "x") }
            try await gate.waitUntilCommitHeld()
            let append = Task { try await StoreCalls.append(store, "new", "y") }
            await #expect(throws: StoreError.self) { try await create.value }
            await #expect(throws: StoreError.self) { try await append.value }
            await #expect(throws: StoreError.notFound(path: "new")) { try await readText(store, "new") }
            #expect(try harness.logFiles().count == 1)

            // N is a producer append to an existing stream, N+1 appends after it.
            gate.arm()
            let produced = Task { try await StoreCalls.append(store, "old", "b", producer: producer) }
            try await gate.waitUntilCommitHeld()
            let later = Task { try await StoreCalls.append(store, "old", "c") }
            await #expect(throws: StoreError.self) { try await produced.value }
            await #expect(throws: StoreError.self) { try await later.value }
            #expect(try await readText(store, "old") == "a")
            #expect(try harness.fileSize(harness.logFile(of: "old")) == size)

            // Nothing of either was recorded: the producer's retry is new data, the path is free.
            #expect(try await StoreCalls.append(store, "old", "b", producer: producer).kind == .appended)
            try await StoreCalls.create(store, "new", body: "z")
        }
        try await harness.withStore { store in
            let (new, old) = (try await readText(store, "new"), try await readText(store, "old"))
            #expect(old == "ab")
            #expect(new == "z")
        }
    }

    @Test func aFailedSyncOfTheNextGroupLeavesTheCommittingOneIntact() async throws {
        let gate = CommitGate(release: .writeLog, laterFailures: [.syncJournal: EIO])
        var harness = try FileStoreHarness()
        harness.options.faultInjector = gate.injector
        defer { harness.remove() }
        try await harness.withStore { store in
            try await StoreCalls.create(store, "s", body: "a")
            gate.arm()
            let first = Task { try await StoreCalls.append(store, "s", "b") }
            try await gate.waitUntilCommitHeld()
            let second = Task { try await StoreCalls.append(store, "s", "c") }
            _ = try await first.value
            await #expect(throws: StoreError.self) { try await second.value }
            gate.clear()
            #expect(try await readText(store, "s") == "ab")
            try await StoreCalls.append(store, "s", "d")
            #expect(try await readText(store, "s") == "abd")
        }
        try await harness.withStore { store in
            let text = try await readText(store, "s")
            #expect(text == "abd")
        }
    }
}

/// The whole stream as text.
private func readText(_ store: any StreamStore, _ path: String) async throws -> String {
    StoreCalls.text(try await StoreCalls.read(store, path))
}

/// Holds the first LMDB commit after ``arm()`` until the writer reaches `release` for a later group (or a
/// minute passes), then lets the commit succeed or fail with `commitError`. From the hold on until
/// ``clear()``, the steps in `laterFailures` fail (they belong to later groups).
final class CommitGate: Sendable {
    private struct State {
        var armed = false
        var holding = false
        var heldOnce = false
        var laterFailures: [WriterStep: Int32]
    }

    private let release: WriterStep
    private let commitError: Int32?
    private let state: Mutex<State>
    private let held = DispatchSemaphore(value: 0)
    private let released = DispatchSemaphore(value: 0)

    init(release: WriterStep, commitError: Int32? = nil, laterFailures: [WriterStep: Int32] = [:]) {
        self.release = release
        self.commitError = commitError
        self.state = Mutex(State(laterFailures: laterFailures))
    }

    func arm() { state.withLock { $0.armed = true } }

    /// Stops failing the later group's steps.
    func clear() { state.withLock { $0.laterFailures = [:] } }

    /// Waits (off the cooperative pool) until the armed commit is being held.
    func waitUntilCommitHeld() async throws {
        let reached = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            DispatchQueue.global().async { continuation.resume(returning: self.held.wait(timeout: .now() + 60) == .success) }
        }
        guard reached else { throw TestFailure("the armed commit was never reached") }
    }

    var injector: @Sendable (WriterStep) -> Int32? {
        { [self] step in
            if step == .commitMetadata {
                let hold = state.withLock { state in
                    defer { state.armed = false }
                    if state.armed { (state.holding, state.heldOnce) = (true, true) }
                    return state.armed
                }
                guard hold else { return nil }
                held.signal()
                _ = released.wait(timeout: .now() + 60)
                state.withLock { $0.holding = false }
                return commitError
            }
            let (holding, failure) = state.withLock { ($0.holding, $0.heldOnce ? $0.laterFailures[step] : nil) }
            if holding && step == release { released.signal() }
            return failure
        }
    }
}
