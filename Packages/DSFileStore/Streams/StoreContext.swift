import DSStore
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// The parts of a file store shared by the request path, the writer thread and the reader threads.
final class StoreContext: Sendable {
    let directory: DataDirectory
    let metadata: MetadataStore
    let table = StreamTable<FileStream>()
    let files: FileHandlePool
    /// Reader threads; also unlink deleted logs off the request path.
    let threads: NIOThreadPool
    /// Runs the log `fdatasync`s of a checkpoint concurrently.
    let syncer: LogSyncer
    let logger: Logger
    let faultInjector: (@Sendable (WriterStep) -> Int32?)?
    /// Streams with an expiry, for the background sweep.
    let expiring = Mutex<[ObjectIdentifier: FileStream]>([:])
    /// Streams whose sliding TTL moved on a read and is not yet persisted.
    let touched = Mutex<[ObjectIdentifier: FileStream]>([:])
    let statistics = StatisticsCounters()
    /// Bounds the frames kept in memory for waiting readers, over all streams.
    let recentFrames: RecentFramesBudget
    private let expiryObserver = Mutex<(@Sendable (ExpiredStream) -> Void)?>(nil)

    init(directory: DataDirectory, metadata: MetadataStore, options: FileStoreOptions) {
        self.directory = directory
        self.metadata = metadata
        self.files = FileHandlePool(capacity: options.maxOpenFiles)
        self.threads = NIOThreadPool(numberOfThreads: max(options.readThreads, 1))
        self.syncer = LogSyncer(threads: options.syncThreads)
        self.logger = options.logger
        self.faultInjector = options.faultInjector
        self.recentFrames = RecentFramesBudget(limit: options.recentFramesBytes)
    }

    func setExpiryObserver(_ observer: @escaping @Sendable (ExpiredStream) -> Void) {
        expiryObserver.withLock { $0 = observer }
    }

    func notifyExpired(_ notice: ExpiredStream) {
        let observer = expiryObserver.withLock { $0 }
        observer?(notice)
    }

    /// Fails the step when a test injected a fault for it.
    func inject(_ step: WriterStep) throws(FileStoreFailure) {
        if let injector = faultInjector, let code = injector(step) {
            throw .system(errno: code, operation: "\(step) (injected)")
        }
    }

    /// `fdatasync`s the log of stream `id` (after the `syncLog` fault point), through the descriptor pool.
    func syncLog(id: UInt64, fileName: String) throws(FileStoreFailure) {
        try inject(.syncLog)
        try files.withDescriptor(stream: id, path: directory.logPath(fileName)) { (fd) throws(FileStoreFailure) in
            try SystemCall.syncData(fd)
        }
    }

    /// Moves a deleted stream's log to the trash and unlinks it on a background thread.
    func discardLog(_ fileName: String) {
        let trashed = directory.trashPath(fileName)
        do {
            try SystemCall.renameFile(directory.logPath(fileName), trashed)
        } catch .system(let code, _) where code == ENOENT {
            return
        } catch {
            logger.warning("could not move a deleted stream's log to the trash; it is removed at the next start", metadata: ["file": "\(fileName)", "error": "\(error)"])
            return
        }
        threads.submit { _ in try? SystemCall.removeFile(trashed) }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
