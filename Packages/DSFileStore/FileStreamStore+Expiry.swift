import DSStore
import NIOCore

extension FileStreamStore {
    public func removeExpired(now: StoreTimestamp) -> [String] {
        let candidates = context.expiring.withLock { Array($0.values) }
        var removed: [String] = []
        for stream in candidates where expireIfDue(stream, now: now) {
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

    /// The stream at `path` unless it is missing, removed or expired (expiring it on the spot).
    func liveStream(_ path: String, now: StoreTimestamp) throws(StoreError) -> FileStream {
        guard let stream = context.table.lookup(path) else { throw .notFound(path: path) }
        if expireIfDue(stream, now: now) { throw .notFound(path: path) }
        guard !stream.state.withLock({ $0.removed }) else { throw .notFound(path: path) }
        return stream
    }

    /// Marks `stream` removed when its expiry has passed, wakes its waiters, reports it, and queues its
    /// durable removal. Returns whether it expired now.
    private func expireIfDue(_ stream: FileStream, now: StoreTimestamp) -> Bool {
        let expired = stream.state.withLock { state -> (ExpiredStream, [EventLoopPromise<StreamChange>])? in
            guard !state.removed, state.record.isExpired(at: now) else { return nil }
            state.removed = true
            return (ExpiredStream(path: stream.path, contentType: state.record.contentType, at: now), state.waiters.takeAll())
        }
        guard let (notice, waiters) = expired else { return false }
        waiters.fire(.deleted)
        context.expiring.withLock { $0[ObjectIdentifier(stream)] = nil }
        context.notifyExpired(notice)
        _ = writer.submit(.reap(stream))
        return true
    }
}
