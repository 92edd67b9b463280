import DSStore
import NIOCore

extension GroupCommit {
    /// Makes the committed group visible: new state, woken waiters, table changes, answers.
    func publish() {
        for key in order {
            guard let working = pending[key], !working.removed, !working.isNew, working.dirty else { continue }
            let (waiters, change) = working.stream.state.withLock { state -> ([EventLoopPromise<StreamChange>], StreamChange) in
                let before = state.record
                var record = working.record
                // Reads may have slid the TTL since the working copy was taken; that is not persisted yet.
                if before.lastAccess > record.lastAccess { record.lastAccess = before.lastAccess }
                state.accessDirty = record.lastAccess > working.record.lastAccess
                if !state.accessDirty { context.touched.withLock { $0[key] = nil } }
                state.record = record
                if record.log.streamEnd > before.log.streamEnd { return (state.waiters.takeAll(), .dataAvailable) }
                if record.closed && !before.closed { return (state.waiters.takeAll(), .closed) }
                return ([], .dataAvailable)
            }
            waiters.fire(change)
        }
        for stream in created {
            let key = ObjectIdentifier(stream)
            guard let working = pending[key], !working.removed else { continue }
            stream.state.withLock { $0.record = working.record }
            context.table.insert(stream)
            if working.record.expiry != .none { context.expiring.withLock { $0[key] = stream } }
        }
        for removal in removals {
            let stream = removal.stream
            let waiters = stream.state.withLock { state in
                state.removed = true
                return state.waiters.takeAll()
            }
            waiters.fire(.deleted)
            context.table.remove(stream)
            let key = ObjectIdentifier(stream)
            context.expiring.withLock { $0[key] = nil }
            context.touched.withLock { $0[key] = nil }
            context.files.retire(stream: stream.id)
            context.discardLog(stream.fileName)
        }
        for notice in expiredNotices { context.notifyExpired(notice) }
        for reply in replies {
            switch reply {
            case .create(let promise, let result): promise.completeWith(result.mapError { $0 })
            case .append(let promise, let result): promise.completeWith(result.mapError { $0 })
            case .delete(let promise, let result): promise.completeWith(result.mapError { $0 })
            }
        }
    }

    /// Answers every request of a group that could not be committed with `error`; nothing of it is visible.
    func rollBack(_ error: StoreError) {
        for reply in replies {
            switch reply {
            case .create(let promise, _): promise.fail(error)
            case .append(let promise, _): promise.fail(error)
            case .delete(let promise, _): promise.fail(error)
            }
        }
    }
}
