import DSProtocol
import DSStore
import NIOCore

/// A test store built around a ``MemoryStreamStore``: every operation it does not change goes to `inner`.
/// Conforming stores implement `append` and `read` (which each alters) and whatever else they change.
protocol ForwardingStore: StreamStore {
    var inner: MemoryStreamStore { get }
}

extension ForwardingStore {
    func create(_ request: CreateStreamRequest, on eventLoop: any EventLoop) -> EventLoopFuture<CreateStreamOutcome> {
        inner.create(request, on: eventLoop)
    }

    func metadata(path: String, now: StoreTimestamp, on eventLoop: any EventLoop) -> EventLoopFuture<StreamInfo> {
        inner.metadata(path: path, now: now, on: eventLoop)
    }

    func delete(path: String, now: StoreTimestamp, on eventLoop: any EventLoop) -> EventLoopFuture<DeleteOutcome> {
        inner.delete(path: path, now: now, on: eventLoop)
    }

    func list(now: StoreTimestamp, on eventLoop: any EventLoop) -> EventLoopFuture<[StreamInfo]> { inner.list(now: now, on: eventLoop) }

    func waitForChange(path: String, after offset: StreamOffset, promise: EventLoopPromise<StreamChange>) -> StreamWait {
        inner.waitForChange(path: path, after: offset, promise: promise)
    }

    func removeExpired(now: StoreTimestamp) -> [String] { inner.removeExpired(now: now) }

    func setExpiryObserver(_ observer: @escaping @Sendable (ExpiredStream) -> Void) { inner.setExpiryObserver(observer) }

    func close() async throws { try await inner.close() }
}
