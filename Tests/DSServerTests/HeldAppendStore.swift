import DSProtocol
import DSStore
import NIOCore
import Synchronization

/// A ``MemoryStreamStore`` that applies each append when it is called but answers it only when the test
/// releases it, in any order: a store whose writes complete later (as a durable one's do), under the test's
/// control. It notes the order of calls, so a test can tell what reached the store before what was answered.
final class HeldAppendStore: ForwardingStore {
    let inner = MemoryStreamStore()

    private struct Held {
        let promise: EventLoopPromise<AppendOutcome>
        let result: Result<AppendOutcome, StoreError>
        var released = false
    }

    private struct State {
        var held: [Held] = []
        var released = 0
        /// The most appends called and not yet released at any one time.
        var mostOutstanding = 0
        /// For each read, metadata or create call made after the first append: the appends released before it.
        var releasedBeforeOtherCalls: [Int] = []
    }

    private let state = Mutex(State())

    /// Appends that reached the store so far.
    var received: Int { state.withLock { $0.held.count } }

    /// The most appends that had reached the store and were not yet released at any one time.
    var mostOutstanding: Int { state.withLock { $0.mostOutstanding } }

    /// For each read, metadata or create call after the first append, how many appends were released before it.
    var releasedBeforeOtherCalls: [Int] { state.withLock { $0.releasedBeforeOtherCalls } }

    /// Answers the append that reached the store `index`-th (from 0).
    func release(_ index: Int) {
        let held = state.withLock { state -> Held? in
            guard index < state.held.count, !state.held[index].released else { return nil }
            state.held[index].released = true
            state.released += 1
            return state.held[index]
        }
        if let held { held.promise.completeWith(held.result.mapError { $0 as any Error }) }
    }

    /// Answers every append that reached the store, newest first.
    func releaseAllNewestFirst() {
        for index in (0..<received).reversed() { release(index) }
    }

    private func noteOtherCall() {
        state.withLock { state in
            if !state.held.isEmpty { state.releasedBeforeOtherCalls.append(state.released) }
        }
    }

    func append(_ request: AppendRequest, on eventLoop: any EventLoop) -> EventLoopFuture<AppendOutcome> {
        let result = inner.appendImmediately(request)!
        let promise = eventLoop.makePromise(of: AppendOutcome.self)
        state.withLock { state in
            state.held.append(Held(promise: promise, result: result))
            state.mostOutstanding = max(state.mostOutstanding, state.held.count - state.released)
        }
        return promise.futureResult
    }

    func appendImmediately(_ request: AppendRequest) -> Result<AppendOutcome, StoreError>? { nil }

    func create(_ request: CreateStreamRequest, on eventLoop: any EventLoop) -> EventLoopFuture<CreateStreamOutcome> {
        noteOtherCall()
        return inner.create(request, on: eventLoop)
    }

    func read(_ request: ReadRequest, on eventLoop: any EventLoop) -> EventLoopFuture<ReadOutcome> {
        noteOtherCall()
        return inner.read(request, on: eventLoop)
    }

    func metadata(path: String, now: StoreTimestamp, on eventLoop: any EventLoop) -> EventLoopFuture<StreamInfo> {
        noteOtherCall()
        return inner.metadata(path: path, now: now, on: eventLoop)
    }

    func close() async throws {
        // Nothing may stay waiting when the server stops.
        releaseAllNewestFirst()
        try await inner.close()
    }
}
