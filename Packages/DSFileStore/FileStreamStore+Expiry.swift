import DSStore
import NIOCore

extension FileStreamStore {
    public func removeExpired(now: StoreTimestamp) -> [String] {
        let candidates = context.expiring.withLock { Array($0.values) }
        var removed: [String] = []
        for stream in candidates where expireIfDue(stream, now: now) != nil {
            removed.append(stream.path)
        }
        if isOpen.load(ordering: .acquiring) && !context.touched.withLock({ $0.isEmpty }) {
            _ = writer.submit(.flushAccessTimes)
        }
        return removed
    }

    public func setExpiryObserver(_ observer: @escaping @Sendable (ExpiredStream) -> Void) {
        context.setExpiryObserver(observer)
    }

    /// The live stream at `path`: ``StoreError/notFound(path:)`` when there is none (or it is removed),
    /// ``StoreError/gone(path:)`` when it is soft-deleted. A stream found expired is expired on the spot.
    func liveStream(_ path: String, now: StoreTimestamp) throws(StoreError) -> FileStream {
        guard let stream = context.table.lookup(path) else { throw .notFound(path: path) }
        if let error = expireIfDue(stream, now: now) { throw error }
        let lifecycle = stream.state.withLock { $0.lifecycle }
        switch lifecycle {
        case .live: return stream
        case .softDeleted: throw .gone(path: path)
        case .removed: throw .notFound(path: path)
        }
    }

    /// Expires `stream` when its deadline has passed: softly while forks use its data (`410` from now on),
    /// for good otherwise (`404`). Wakes its waiters, reports the expiry and queues the durable change for the
    /// writer. Returns the error later requests get, or `nil` when it did not expire now.
    private func expireIfDue(_ stream: FileStream, now: StoreTimestamp) -> StoreError? {
        let expired = stream.state.withLock { state -> (ExpiredStream, [any StreamWaiter], StoreError)? in
            guard state.isLive, state.record.isExpired(at: now) else { return nil }
            let soft = state.forkCount > 0
            state.lifecycle = soft ? .softDeleted : .removed
            state.dropRecentFrames(budget: context.recentFrames)
            let error: StoreError = soft ? .gone(path: stream.path) : .notFound(path: stream.path)
            return (ExpiredStream(path: stream.path, contentType: state.record.contentType, at: now), state.waiters.takeAll(), error)
        }
        guard let (notice, waiters, error) = expired else { return nil }
        waiters.fire(.deleted)
        context.expiring.withLock { $0[ObjectIdentifier(stream)] = nil }
        context.notifyExpired(notice)
        _ = writer.submit(.reap(stream))
        return error
    }
}
