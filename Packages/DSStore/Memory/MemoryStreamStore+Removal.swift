import DSProtocol
import NIOCore

/// Deletion, expiry and the reference counting of forks (PROTOCOL.md §4.2, §5.4).
///
/// A stream's `forkCount` counts the forks created from it that are not yet collected. Deleting (or expiring)
/// a stream with forks soft-deletes it: it answers `410`, blocks its path, and keeps its data for the forks.
/// Removing a fork for good releases its source's count; a soft-deleted source whose count reaches zero is
/// removed in turn, and so on up the chain.
extension MemoryStreamStore {
    public func delete(path: String, now: StoreTimestamp, on eventLoop: any EventLoop) -> EventLoopFuture<DeleteOutcome> {
        eventLoop.makeCompletedFuture(Result { () throws(StoreError) in
            let (stream, info, waiters, removed) = try withLiveStream(path, now: now) { stream, state in
                let info = stream.info(state)
                let waiters = state.markDeleted()
                return (stream, info, waiters, state.lifecycle == .removed)
            }
            finishRemoval(stream, removed: removed, waiters: waiters, expiredAt: nil)
            return removed ? .deleted(info) : .softDeleted(info)
        })
    }

    public func removeExpired(now: StoreTimestamp) -> [String] {
        let candidates = expiring.withLock { Array($0.values) }
        var expired: [String] = []
        for stream in candidates {
            let outcome = stream.state.withLock { state -> (waiters: [any StreamWaiter], removed: Bool)? in
                guard state.isLive, state.isExpired(at: now) else { return nil }
                return (state.markDeleted(), state.lifecycle == .removed)
            }
            guard let outcome else { continue }
            finishRemoval(stream, removed: outcome.removed, waiters: outcome.waiters, expiredAt: now)
            expired.append(stream.path)
        }
        return expired
    }

    /// Completes a deletion or expiry decided under the stream's lock (call with no lock held): wakes the
    /// stream's waiters, unlinks it if it is removed for good (releasing its source), and reports an expiry.
    func finishRemoval(_ stream: MemoryStream, removed: Bool, waiters: [any StreamWaiter], expiredAt: StoreTimestamp?) {
        expiring.withLock { $0[ObjectIdentifier(stream)] = nil }
        if removed {
            table.remove(stream)
            if let source = stream.origin?.source { release(source) }
        }
        waiters.fire(.deleted)
        if let expiredAt { notifyExpired(stream, at: expiredAt) }
    }

    /// Drops one fork reference from `source`, collecting it if it is soft-deleted and unused, then
    /// continuing up the chain. One stream lock at a time.
    private func release(_ source: MemoryStream) {
        var next: MemoryStream? = source
        while let current = next {
            let collect = current.state.withLock { state -> Bool in
                state.forkCount -= 1
                guard state.forkCount == 0, state.lifecycle == .softDeleted else { return false }
                state.lifecycle = .removed
                return true
            }
            guard collect else { return }
            table.remove(current)
            next = current.origin?.source
        }
    }
}
