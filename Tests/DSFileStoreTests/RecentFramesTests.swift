import DSFileStore
import DSProtocol
import DSStore
import NIOCore
import Testing

/// When a commit keeps its frames in memory for the readers it wakes, and when it lets them go: only while
/// readers wait or read them, within the store's budget, and never past the stream's life. Reads from them are checked
/// byte for byte in ``ReadParityTests``; here the point is that memory is not held for nobody.
struct RecentFramesTests {
    @Test func framesAreKeptWhileReadersWaitOrReadThem() async throws {
        let harness = try FileStoreHarness()
        defer { harness.remove() }
        try await harness.withStore { store in
            try await StoreCalls.create(store, "s")
            try await StoreCalls.append(store, "s", "nobody waits")
            #expect(store.statistics.recentFrameBytes == 0)

            let woken = try await Self.appendWhileWaiting(store, "s", "one reader waits")
            #expect(woken == .dataAvailable)
            let kept = store.statistics.recentFrameBytes
            #expect(kept > 0)
            // The woken reader's read comes from memory, and needs no future; a read of older data needs the log.
            let read = try await StoreCalls.read(store, "s", from: .offset(StreamOffset(position: 12)))
            #expect(StoreCalls.text(read) == "one reader waits")
            #expect(store.statistics.readsFromMemory == 1)
            let atOnce = try store.readImmediately(ReadRequest(path: "s", start: .offset(StreamOffset(position: 12)), maxBytes: 1 << 20, now: .now()))?.get()
            #expect(atOnce.map(StoreCalls.text) == "one reader waits")
            #expect(store.readImmediately(ReadRequest(path: "s", start: .beginning, maxBytes: 1 << 20, now: .now())) == nil)
            #expect(store.statistics.readsFromMemory == 2)

            // Nobody waits for the next commit, but the kept frames were read since the last one (as by readers
            // catching up): its frames are joined to them.
            try await StoreCalls.append(store, "s", "and again")
            #expect(store.statistics.recentFrameBytes > kept)
            let both = try await StoreCalls.read(store, "s", from: .offset(StreamOffset(position: 12)))
            #expect(StoreCalls.text(both) == "one reader waitsand again")
            #expect(store.statistics.readsFromMemory == 3)

            // Read again: the next commit keeps them too. Then one that finds them unread and nobody waiting
            // drops them, and reads go to the log again.
            _ = try await StoreCalls.read(store, "s", from: .offset(StreamOffset(position: 28)))
            try await StoreCalls.append(store, "s", "!")
            #expect(store.statistics.recentFrameBytes > 0)
            try await StoreCalls.append(store, "s", "?")
            #expect(store.statistics.recentFrameBytes == 0)
            let fromLog = try await StoreCalls.read(store, "s", from: .offset(StreamOffset(position: 12)))
            #expect(StoreCalls.text(fromLog) == "one reader waitsand again!?")
            #expect(store.statistics.readsFromMemory == 4)
        }
    }

    @Test func theLastReaderLeavingDropsThem() async throws {
        try await Self.withFramesKept { store in
            // Two readers wait for more; the first to leave keeps the frames for the other, the last drops them.
            let tail = try await StoreCalls.metadata(store, "s").tail
            let promises = [StoreCalls.loop.makePromise(of: StreamChange.self), StoreCalls.loop.makePromise(of: StreamChange.self)]
            // A cancelled waiter's promise is its owner's to complete.
            defer { for promise in promises { promise.succeed(.closed) } }
            let first = store.waitForChange(path: "s", after: tail, promise: promises[0])
            let second = store.waitForChange(path: "s", after: tail, promise: promises[1])
            first.cancel()
            #expect(store.statistics.recentFrameBytes > 0)
            second.cancel()
            #expect(store.statistics.recentFrameBytes == 0)
        }
    }

    @Test func deletingTheStreamDropsThem() async throws {
        try await Self.withFramesKept { store in
            _ = try await store.delete(path: "s", now: .now(), on: StoreCalls.loop).get()
            #expect(store.statistics.recentFrameBytes == 0)
        }
    }

    @Test func theStoreWideBudgetBoundsThem() async throws {
        var options = FileStoreOptions.forTests
        options.recentFramesBytes = 300
        let harness = try FileStoreHarness(options: options)
        defer { harness.remove() }
        try await harness.withStore { store in
            for path in ["a", "b"] { try await StoreCalls.create(store, path) }
            _ = try await Self.appendWhileWaiting(store, "a", String(repeating: "a", count: 200))
            let kept = store.statistics.recentFrameBytes
            #expect(kept > 200 && kept <= 300)
            // No room left for b's frames: its woken reader reads from the log, and still gets them.
            _ = try await Self.appendWhileWaiting(store, "b", String(repeating: "b", count: 200))
            #expect(store.statistics.recentFrameBytes == kept)
            let read = try await StoreCalls.read(store, "b", from: .beginning)
            #expect(StoreCalls.text(read) == String(repeating: "b", count: 200))
            #expect(store.statistics.readsFromMemory == 0)
            // Once a's frames are dropped, b's next commit fits.
            try await StoreCalls.append(store, "a", "nobody waits")
            _ = try await Self.appendWhileWaiting(store, "b", "b")
            #expect(store.statistics.recentFrameBytes > 0 && store.statistics.recentFrameBytes < kept)
        }
    }

    /// Runs `body` on a store whose stream `s` has frames kept from an append a reader waited for.
    private static func withFramesKept(_ body: (FileStreamStore) async throws -> Void) async throws {
        let harness = try FileStoreHarness()
        defer { harness.remove() }
        try await harness.withStore { store in
            try await StoreCalls.create(store, "s")
            _ = try await appendWhileWaiting(store, "s", "kept")
            #expect(store.statistics.recentFrameBytes > 0)
            try await body(store)
        }
    }

    /// Appends `text` while a reader waits at the tail, and returns what woke that reader.
    private static func appendWhileWaiting(_ store: FileStreamStore, _ path: String, _ text: String) async throws -> StreamChange {
        let tail = try await StoreCalls.metadata(store, path).tail
        let woken = StoreCalls.loop.makePromise(of: StreamChange.self)
        _ = store.waitForChange(path: path, after: tail, promise: woken)
        try await StoreCalls.append(store, path, text)
        return try await woken.futureResult.get()
    }
}
