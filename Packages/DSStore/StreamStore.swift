import DSProtocol
import NIOCore

/// The storage backend behind a Durable Streams server.
///
/// A store owns every piece of per-stream state: data, offsets, content type, closure, expiry,
/// `Stream-Seq`, idempotent producer state, fork links and the live waiters of each stream.
/// It knows nothing of HTTP: the server validates requests into the value types below and maps
/// results and ``StoreError``s to responses.
///
/// Operations return `EventLoopFuture`s on the event loop passed in, so an in-memory store can answer
/// synchronously (no thread hop, no task) while a durable store completes after its data is on disk.
/// Implementations must be thread-safe: calls arrive from every event loop at once, and operations on
/// different streams must not wait for each other.
///
/// Writes (``create(_:on:)``, ``append(_:on:)``, ``delete(path:now:on:)``) take effect in the order they are
/// called, whenever their futures complete: a write called after another returned (on the same thread) is
/// applied after it and sees its effect, even while neither has completed. The memory store applies each
/// write before returning; the file store queues each write, before returning, to its one writer, which
/// applies them in that order. (A read sees a write once the write's future completed.) The server relies
/// on this: it hands the appends a client pipelined on one connection to the store one after another
/// without waiting for each to complete (so a durable store commits them together), and expects the same
/// outcomes, `Stream-Seq` and producer checks included, as if it had waited.
public protocol StreamStore: AnyObject, Sendable {
    /// Creates a stream, or confirms an existing one with the same configuration.
    ///
    /// With ``CreateStreamRequest/fork`` it creates a fork (PROTOCOL.md §4.2): the new stream shares the
    /// source's offset space and shows the source's data below the fork offset; it inherits the content type
    /// and, unless the request names one, the expiry rule; it starts open with empty writer state; and it
    /// holds one reference on the source until it is removed. A refused request takes no reference.
    /// `Docs/forks.md` lists the exact rules every store follows.
    func create(_ request: CreateStreamRequest, on eventLoop: any EventLoop) -> EventLoopFuture<CreateStreamOutcome>

    /// Appends to a stream and/or closes it, applying `Stream-Seq` and idempotent producer rules atomically.
    func append(_ request: AppendRequest, on eventLoop: any EventLoop) -> EventLoopFuture<AppendOutcome>

    /// The same append, finished before returning, for stores that never wait (the in-memory store); `nil`
    /// means the store did nothing and the caller uses ``append(_:on:)``. Lets the server answer an append
    /// without allocating a future. The default returns `nil`.
    func appendImmediately(_ request: AppendRequest) -> Result<AppendOutcome, StoreError>?

    /// Reads up to `maxBytes` (whole messages for JSON streams) from a start position.
    /// A fork's read continues from inherited data into its own in one outcome.
    func read(_ request: ReadRequest, on eventLoop: any EventLoop) -> EventLoopFuture<ReadOutcome>

    /// The same read, finished before returning, when the store can answer it without waiting (the in-memory
    /// store always; the file store at the tail and from recent data it keeps in memory); `nil` means the store
    /// answered nothing and the caller uses ``read(_:on:)``. The default returns `nil`.
    func readImmediately(_ request: ReadRequest) -> Result<ReadOutcome, StoreError>?

    /// The stream's metadata, for `HEAD`. Does not slide a TTL.
    func metadata(path: String, now: StoreTimestamp, on eventLoop: any EventLoop) -> EventLoopFuture<StreamInfo>

    /// Deletes a stream (soft-deleting it while forks still read its data).
    ///
    /// A soft-deleted stream fails every later operation with ``StoreError/gone(path:)`` and blocks
    /// `create` at its path; it is removed once its last fork is removed, and that cascades up the chain.
    /// Expiry of a stream with forks soft-deletes it the same way.
    func delete(path: String, now: StoreTimestamp, on eventLoop: any EventLoop) -> EventLoopFuture<DeleteOutcome>

    /// Every live stream (not expired, not deleted or soft-deleted), for registries and subscriptions.
    func list(now: StoreTimestamp, on eventLoop: any EventLoop) -> EventLoopFuture<[StreamInfo]>

    /// Registers a one-shot waiter that fires once the stream has data beyond `offset`, is closed,
    /// or is deleted. If that is already the case the promise is completed before this returns.
    ///
    /// Registration and the final tail check happen under the stream's lock, so no wake-up is lost.
    /// Waiters belong to one stream: appends to a fork's source never wake the fork's waiters.
    /// - Returns: a handle that removes the waiter (``StreamWait/cancel()``), for timeouts and hang-ups.
    func waitForChange(
        path: String,
        after offset: StreamOffset,
        promise: EventLoopPromise<StreamChange>
    ) -> StreamWait

    /// The same wait, telling `waiter` (on its event loop) instead of completing a promise. If the stream has
    /// already changed, `waiter` is told before this returns. The default goes through a promise, so it tells
    /// `waiter` before returning only when called on `waiter`'s event loop (as live readers call it).
    func waitForChange(path: String, after offset: StreamOffset, waiter: any StreamWaiter) -> StreamWait

    /// Removes every stream whose expiry has passed at `now`, returning their paths.
    ///
    /// Expiry is also enforced on every access; this reclaims streams nobody touches.
    func removeExpired(now: StoreTimestamp) -> [String]

    /// Called when the store notices, on access or in ``removeExpired(now:)``, that a stream expired.
    /// Set once by the server before serving requests.
    func setExpiryObserver(_ observer: @escaping @Sendable (ExpiredStream) -> Void)

    /// Flushes and releases resources. Later calls fail with ``StoreError/unavailable(_:)``.
    func close() async throws

    /// Succeeds while the store is open and can accept writes; fails (with the reason) otherwise.
    /// Backs the server's readiness endpoint. The default implementation always succeeds; durable
    /// stores override it to check that they are open and their data directory is writable.
    func readiness(on eventLoop: any EventLoop) -> EventLoopFuture<Void>
}

/// What a waiter learns when it fires.
public enum StreamChange: Sendable, Hashable {
    /// New data exists beyond the waited offset.
    case dataAvailable
    /// The stream was closed and no data exists beyond the waited offset.
    case closed
    /// The stream was deleted or expired.
    case deleted
}

/// A stream that expired.
public struct ExpiredStream: Sendable, Hashable {
    /// The stream's path.
    public var path: String
    /// Its content type.
    public var contentType: StreamContentType
    /// When the store noticed the expiry.
    public var at: StoreTimestamp

    /// Creates the value.
    public init(path: String, contentType: StreamContentType, at: StoreTimestamp) {
        self.path = path
        self.contentType = contentType
        self.at = at
    }
}

extension StreamStore {
    /// By default a store answers appends through ``append(_:on:)`` only.
    public func appendImmediately(_ request: AppendRequest) -> Result<AppendOutcome, StoreError>? { nil }

    /// By default a store answers reads through ``read(_:on:)`` only.
    public func readImmediately(_ request: ReadRequest) -> Result<ReadOutcome, StoreError>? { nil }

    /// By default a waiter is told through a promise on its event loop.
    public func waitForChange(path: String, after offset: StreamOffset, waiter: any StreamWaiter) -> StreamWait {
        let promise = waiter.eventLoop.makePromise(of: StreamChange.self)
        promise.futureResult.whenSuccess { change in waiter.streamChanged(change) }
        let wait = waitForChange(path: path, after: offset, promise: promise)
        guard wait.isRegistered else { return wait }
        return StreamWait {
            wait.cancel()
            // The store no longer holds the promise; completing it as failed tells the waiter nothing.
            promise.fail(WaitCancelled())
        }
    }
}

/// Completes the promise of a promise-bridged wait that was cancelled.
private struct WaitCancelled: Error {}
