import DSFileStore
import DSProtocol
import DSStore
import Foundation
import Logging
import NIOCore
import Synchronization

/// A ``FileStreamStore`` in its own temporary directory.
///
/// By default the directory is deleted when the store closes. A *restartable* one keeps it until this object
/// goes away, so a test can close the store (a server stop does that) and ``reopen()`` the same directory,
/// which is exactly what a server restart does: recovery runs and everything is read back from disk.
public final class TemporaryFileStore: StreamStore {
    /// The data directory.
    public let directory: TemporaryDirectory
    private let current: Mutex<FileStreamStore>
    private let restartable: Bool

    /// Opens a store in a new temporary directory, with small resource limits suited to many stores at once.
    /// - Parameter restartable: keep the directory on ``close()`` so that ``reopen()`` can open it again.
    public init(restartable: Bool = false) throws {
        directory = try TemporaryDirectory()
        current = Mutex(try FileStreamStore(directory: directory.path, options: .forTests))
        self.restartable = restartable
    }

    deinit {
        if restartable { directory.remove() }
    }

    /// The store itself (the one opened last).
    public var store: FileStreamStore { current.withLock { $0 } }

    /// Opens the directory again after ``close()``, as a restarted server would; later calls go to the new store.
    public func reopen() throws {
        precondition(restartable, "only a restartable TemporaryFileStore keeps its directory to reopen")
        let reopened = try FileStreamStore(directory: directory.path, options: .forTests)
        current.withLock { $0 = reopened }
    }

    public func create(_ request: CreateStreamRequest, on eventLoop: any EventLoop) -> EventLoopFuture<CreateStreamOutcome> {
        store.create(request, on: eventLoop)
    }

    public func append(_ request: AppendRequest, on eventLoop: any EventLoop) -> EventLoopFuture<AppendOutcome> {
        store.append(request, on: eventLoop)
    }

    public func read(_ request: ReadRequest, on eventLoop: any EventLoop) -> EventLoopFuture<ReadOutcome> {
        store.read(request, on: eventLoop)
    }

    public func metadata(path: String, now: StoreTimestamp, on eventLoop: any EventLoop) -> EventLoopFuture<StreamInfo> {
        store.metadata(path: path, now: now, on: eventLoop)
    }

    public func list(now: StoreTimestamp, on eventLoop: any EventLoop) -> EventLoopFuture<[StreamInfo]> {
        store.list(now: now, on: eventLoop)
    }

    public func delete(path: String, now: StoreTimestamp, on eventLoop: any EventLoop) -> EventLoopFuture<DeleteOutcome> {
        store.delete(path: path, now: now, on: eventLoop)
    }

    public func waitForChange(path: String, after offset: StreamOffset, promise: EventLoopPromise<StreamChange>) -> StreamWait {
        store.waitForChange(path: path, after: offset, promise: promise)
    }

    public func readImmediately(_ request: ReadRequest) -> Result<ReadOutcome, StoreError>? {
        store.readImmediately(request)
    }

    public func waitForChange(path: String, after offset: StreamOffset, waiter: any StreamWaiter) -> StreamWait {
        store.waitForChange(path: path, after: offset, waiter: waiter)
    }

    public func removeExpired(now: StoreTimestamp) -> [String] {
        store.removeExpired(now: now)
    }

    public func setExpiryObserver(_ observer: @escaping @Sendable (ExpiredStream) -> Void) {
        store.setExpiryObserver(observer)
    }

    public func readiness(on eventLoop: any EventLoop) -> EventLoopFuture<Void> {
        store.readiness(on: eventLoop)
    }

    public func close() async throws {
        try await store.close()
        if !restartable { directory.remove() }
    }
}

extension FileStoreOptions {
    /// Small limits, so that the many stores of a parallel test run stay cheap.
    public static var forTests: FileStoreOptions {
        var options = FileStoreOptions(maxOpenFiles: 64, readThreads: 2, syncThreads: 2, metadataMapSize: 256 << 20)
        options.logger.logLevel = .error
        // Other tests spawn child processes all the time; each briefly holds a copy of a just-closed store's lock.
        options.lockWait = .seconds(10)
        return options
    }
}

/// A new, empty directory under the system's temporary directory.
public struct TemporaryDirectory: Sendable {
    /// Its absolute path.
    public let path: String

    /// Creates the directory.
    public init(prefix: String = "ds-file-store") throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString.lowercased())")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        path = url.path
    }

    /// Deletes the directory and everything in it.
    public func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
