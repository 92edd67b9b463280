import DSStore
import Dispatch
import NIOCore
import NIOPosix
import Synchronization

/// The one writer of a data directory: two threads in a pipeline.
///
/// Requests from every connection queue here. Each turn of the loop takes everything queued (up to a bound)
/// as one group commit: apply in order to working copies of the streams, write the frames to the logs and one
/// record of them to the shared journal, `fdatasync` the journal once (the *writer* thread), then commit one
/// LMDB transaction and only then publish the new state, wake waiters and answer (the *committer* thread).
/// While group N commits, group N+1 is applied on top of N's unpublished working state and its logs and
/// journal record are written and synced; it is handed to the committer only once N committed, so LMDB
/// commits stay in order and remain the one commit point. Should N fail, N+1 (built on it) fails too and the
/// logs of both are cut back to the last committed state. Meanwhile the next group queues up, so many
/// concurrent writers share each sync. The writer thread owns the journal (see ``Journal``).
final class CommitWriter: Sendable {
    /// Most operations in one group commit.
    static let maxOperations = 4096
    /// Most payload bytes in one group commit (a larger single request still forms a group of its own).
    static let maxBytes = 32 << 20

    private struct Queue {
        var operations: [WriteOperation] = []
        var signalled = false
        /// Whether the thread runs; nothing is accepted before ``start()`` (a read-only store never starts it).
        var started = false
        var stopping = false
    }

    private let context: StoreContext
    private let queue = Mutex(Queue())
    private let wakeup = DispatchSemaphore(value: 0)
    private let thread = NIOThreadPool(numberOfThreads: 1)
    private let committer = NIOThreadPool(numberOfThreads: 1)
    private let stopped = DispatchSemaphore(value: 0)
    private let firstID: UInt64
    /// The journal as recovery left it (`nil` for a read-only store, whose writer never starts).
    private let journal: Journal?

    init(context: StoreContext, nextID: UInt64, journal: Journal?) {
        self.context = context
        self.firstID = nextID
        self.journal = journal
    }

    func start() {
        queue.withLock { $0.started = true }
        thread.start()
        committer.start()
        thread.submit { [self] _ in self.run() }
    }

    /// Queues `operation`; returns `false` once the writer is stopping.
    func submit(_ operation: WriteOperation) -> Bool {
        let shouldSignal = queue.withLock { queue -> Bool? in
            guard queue.started, !queue.stopping else { return nil }
            queue.operations.append(operation)
            defer { queue.signalled = true }
            return !queue.signalled
        }
        guard let shouldSignal else { return false }
        if shouldSignal { wakeup.signal() }
        return true
    }

    /// Finishes every queued operation, then ends the thread.
    func stop() async {
        let (wasStarted, shouldSignal) = queue.withLock { queue -> (Bool, Bool) in
            queue.stopping = true
            defer { queue.signalled = true }
            return (queue.started, !queue.signalled)
        }
        guard wasStarted else { return }
        if shouldSignal { wakeup.signal() }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                self.stopped.wait()
                continuation.resume()
            }
        }
        try? await thread.shutdownGracefully()
        try? await committer.shutdownGracefully()
    }

    /// The writer thread's own state.
    private struct Pipeline {
        /// The id the next created stream gets, counting the groups written but not yet committed.
        var nextID: UInt64
        /// The group the committer is committing.
        var inFlight: InFlight?
        var journal: Journal
    }

    private func run() {
        guard let journal else { preconditionFailure("the writer of a read-only store never starts") }
        var pipeline = Pipeline(nextID: firstID, journal: journal)
        while true {
            wakeup.wait()
            let (operations, stopping) = queue.withLock { queue in
                queue.signalled = false
                defer { queue.operations = [] }
                return (queue.operations, queue.stopping)
            }
            var start = 0
            while start < operations.count {
                var end = start
                var bytes = 0
                while end < operations.count && end - start < Self.maxOperations && (end == start || bytes < Self.maxBytes) {
                    bytes += operations[end].byteCount
                    end += 1
                }
                write(operations[start..<end], &pipeline)
                start = end
            }
            if stopping { break }
        }
        if let last = pipeline.inFlight { settle(last, &pipeline) }
        // A clean close leaves an empty journal: the next open has nothing to replay.
        do {
            try pipeline.journal.checkpoint(context: context)
        } catch {
            context.logger.warning("could not sync the logs at close; the next open replays the journal", metadata: ["error": "\(error)"])
        }
        pipeline.journal.close()
        stopped.signal()
    }

    /// Applies a group, writes its logs and its journal record (synced), then hands it to the committer once
    /// the group before it is committed.
    private func write(_ operations: ArraySlice<WriteOperation>, _ pipeline: inout Pipeline) {
        // A predecessor that already finished is settled first, so a group is only built on one that failed
        // when it failed while this group was being written.
        if let previous = pipeline.inFlight, previous.isFinished { settle(previous, &pipeline) }
        let predecessor = pipeline.inFlight
        var group = GroupCommit(context: context, nextID: pipeline.nextID, carried: predecessor?.group.carry)
        for operation in operations { group.apply(operation) }
        var failure: FileStoreFailure?
        do {
            try group.writeLogs(journal: &pipeline.journal)
        } catch {
            failure = error
        }
        if let predecessor {
            pipeline.inFlight = nil
            if let error = predecessor.waitForOutcome() {
                // Built on a group that failed (its requests are answered): fail this one too and cut the logs
                // of both back to the last committed state, later group first.
                if failure == nil { group.undoWrites() }
                predecessor.group.undoWrites()
                pipeline.journal.requireCheckpoint()
                pipeline.nextID = predecessor.group.firstID
                context.logger.error("group commit failed after the one it was built on failed", metadata: ["requests": "\(operations.count)"])
                group.rollBack(error)
                return
            }
            pipeline.nextID = predecessor.group.nextID
        }
        if let failure {
            context.logger.error("group commit failed; its requests are answered with the error", metadata: ["error": "\(failure)", "requests": "\(operations.count)"])
            group.rollBack(failure.storeError)
            return
        }
        let handed = InFlight(group: group)
        pipeline.inFlight = handed
        pipeline.nextID = group.nextID
        let context = self.context
        committer.submit { _ in
            do throws(FileStoreFailure) {
                try handed.group.commitMetadata()
                handed.group.publish()
                handed.finish(nil)
            } catch {
                context.logger.error("group commit failed; its requests are answered with the error", metadata: ["error": "\(error)", "requests": "\(handed.group.replies.count)"])
                handed.group.rollBack(error.storeError)
                handed.finish(error.storeError)
            }
        }
    }

    /// Waits for the group in flight; after a failure, cuts its logs back (nothing later was built on it).
    private func settle(_ inFlight: InFlight, _ pipeline: inout Pipeline) {
        pipeline.inFlight = nil
        if inFlight.waitForOutcome() != nil {
            inFlight.group.undoWrites()
            pipeline.journal.requireCheckpoint()
            pipeline.nextID = inFlight.group.firstID
        } else {
            pipeline.nextID = inFlight.group.nextID
        }
    }
}

/// A group handed to the committer thread, and how its commit ended.
private final class InFlight: Sendable {
    let group: GroupCommit
    private let done = DispatchSemaphore(value: 0)
    private let outcome = Mutex<Result<Void, StoreError>?>(nil)

    init(group: GroupCommit) {
        self.group = group
    }

    /// Whether the committer is done with the group.
    var isFinished: Bool { outcome.withLock { $0 != nil } }

    /// Called once by the committer: `nil` when committed and published, else the error its requests got.
    func finish(_ error: StoreError?) {
        outcome.withLock { $0 = error.map { .failure($0) } ?? .success(()) }
        done.signal()
    }

    /// Blocks until the committer is done; returns the error when the commit failed. Call once.
    func waitForOutcome() -> StoreError? {
        done.wait()
        guard case .failure(let error) = outcome.withLock({ $0 }) else { return nil }
        return error
    }
}
