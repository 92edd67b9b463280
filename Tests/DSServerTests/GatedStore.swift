import DSProtocol
import DSStore
import NIOCore
import Synchronization

/// A ``MemoryStreamStore`` whose appends wait at a gate until the test opens it, and whose readiness the
/// test can switch off: for drain and readiness tests.
final class GatedStore: ForwardingStore {
    let inner = MemoryStreamStore()
    private let state = Mutex<(gated: Bool, waiting: [EventLoopPromise<Void>], ready: Bool, failReads: Bool)>((false, [], true, false))

    /// An error the server has no mapping for (it answers 500).
    struct Broken: Error {}

    /// Makes reads fail with ``Broken``.
    func setFailingReads(_ failing: Bool) { state.withLock { $0.failReads = failing } }

    /// Makes later appends wait until ``openGate()``.
    func closeGate() { state.withLock { $0.gated = true } }

    /// Lets every waiting and later append through.
    func openGate() {
        let waiting = state.withLock { state -> [EventLoopPromise<Void>] in
            state.gated = false
            defer { state.waiting = [] }
            return state.waiting
        }
        for promise in waiting { promise.succeed() }
    }

    /// Appends waiting at the gate.
    var waitingAppends: Int { state.withLock { $0.waiting.count } }

    /// Sets what ``readiness(on:)`` answers.
    func setReady(_ ready: Bool) { state.withLock { $0.ready = ready } }

    func append(_ request: AppendRequest, on eventLoop: any EventLoop) -> EventLoopFuture<AppendOutcome> {
        let gate = state.withLock { state -> EventLoopPromise<Void>? in
            guard state.gated else { return nil }
            let promise = eventLoop.makePromise(of: Void.self)
            state.waiting.append(promise)
            return promise
        }
        guard let gate else { return inner.append(request, on: eventLoop) }
        return gate.futureResult.flatMap { self.inner.append(request, on: eventLoop) }
    }

    func read(_ request: ReadRequest, on eventLoop: any EventLoop) -> EventLoopFuture<ReadOutcome> {
        state.withLock { $0.failReads } ? eventLoop.makeFailedFuture(Broken()) : inner.read(request, on: eventLoop)
    }

    func readiness(on eventLoop: any EventLoop) -> EventLoopFuture<Void> {
        state.withLock { $0.ready }
            ? eventLoop.makeSucceededVoidFuture()
            : eventLoop.makeFailedFuture(StoreError.unavailable("the test switched readiness off"))
    }
}
