import DSStore
import NIOCore

extension GroupCommit {
    /// Makes the committed group visible: new state, woken waiters, table changes, answers.
    func publish() {
        var reported = Set<ObjectIdentifier>()
        for key in order {
            guard let working = pending[key], !working.removed, !working.isNew, working.dirty else { continue }
            let reserved = reservations[key]?.count ?? 0
            let (waiters, change, softDeleted) = working.stream.state.withLock { state -> ([any StreamWaiter], StreamChange, Bool) in
                let before = state.record
                var record = working.record
                // Reads may have slid the TTL since the working copy was taken; that is not persisted yet.
                if before.lastAccess > record.lastAccess { record.lastAccess = before.lastAccess }
                state.accessDirty = record.lastAccess > working.record.lastAccess
                if !state.accessDirty { context.touched.withLock { $0[key] = nil } }
                state.record = record
                state.reservedForks -= reserved
                if record.softDeleted {
                    state.dropRecentFrames(budget: context.recentFrames)
                    guard state.lifecycle == .live else { return ([], .deleted, false) }
                    state.lifecycle = .softDeleted
                    return (state.waiters.takeAll(), .deleted, true)
                }
                if record.log.streamEnd > before.log.streamEnd {
                    let waiters = state.waiters.takeAll()
                    // Readers waiting now read these frames as soon as they are woken, and readers catching up
                    // (that read the frames kept before) read them next: keep them in memory.
                    let kept = state.recentFrames.take()
                    let released = kept?.byteCount ?? 0
                    var frames: RecentFrames?
                    if !waiters.isEmpty || kept?.wasRead == true, let written = working.frames {
                        frames = RecentFrames.after(consume kept, appending: written, at: working.committed.end)
                    }
                    state.keepRecentFrames(frames, releasing: released, budget: context.recentFrames)
                    return (waiters, .dataAvailable, false)
                }
                if record.closed && !before.closed { return (state.waiters.takeAll(), .closed, false) }
                return ([], .dataAvailable, false)
            }
            waiters.fire(change)
            if softDeleted {
                reported.insert(key)
                context.expiring.withLock { $0[key] = nil }
                context.touched.withLock { $0[key] = nil }
            }
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
            let (waiters, wasLive) = stream.state.withLock { state in
                defer { state.lifecycle = .removed }
                state.dropRecentFrames(budget: context.recentFrames)
                return (state.waiters.takeAll(), state.lifecycle == .live)
            }
            waiters.fire(.deleted)
            let key = ObjectIdentifier(stream)
            if wasLive { reported.insert(key) }
            context.table.remove(stream)
            context.expiring.withLock { $0[key] = nil }
            context.touched.withLock { $0[key] = nil }
            context.files.retire(stream: stream.id)
            context.discardLog(stream.fileName)
        }
        // A request that found a stream expired reported it already (and left it not live).
        for (stream, notice) in expiredNotices where reported.contains(ObjectIdentifier(stream)) {
            context.notifyExpired(notice)
        }
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
        for (source, count) in reservations.values {
            source.state.withLock { $0.reservedForks -= count }
        }
        for reply in replies {
            switch reply {
            case .create(let promise, _): promise.fail(error)
            case .append(let promise, _): promise.fail(error)
            case .delete(let promise, _): promise.fail(error)
            }
        }
    }
}
