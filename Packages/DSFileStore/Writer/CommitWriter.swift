import DSStore
import Dispatch
import NIOCore
import NIOPosix
import Synchronization

/// The one thread that changes a data directory.
///
/// Requests from every connection queue here. Each turn of the loop takes everything queued (up to a bound)
/// as one group commit: apply in order to working copies of the streams, write the frames, `fdatasync` each
/// touched log once, commit one LMDB transaction, and only then publish the new state, wake waiters and
/// answer. While one group is syncing, the next one queues up, so many concurrent writers share each sync.
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
    private let stopped = DispatchSemaphore(value: 0)
    private let nextID: Mutex<UInt64>

    init(context: StoreContext, nextID: UInt64) {
        self.context = context
        self.nextID = Mutex(nextID)
    }

    func start() {
        queue.withLock { $0.started = true }
        thread.start()
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
    }

    private func run() {
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
                commit(operations[start..<end])
                start = end
            }
            if stopping { break }
        }
        stopped.signal()
    }

    private func commit(_ operations: ArraySlice<WriteOperation>) {
        let firstID = nextID.withLock { $0 }
        var group = GroupCommit(context: context, nextID: firstID)
        for operation in operations { group.apply(operation) }
        do {
            try group.persist()
            nextID.withLock { $0 = group.nextID }
            group.publish()
        } catch {
            context.logger.error("group commit failed; its requests are answered with the error", metadata: ["error": "\(error)", "requests": "\(operations.count)"])
            group.rollBack(error.storeError)
        }
    }
}
