import Logging
import NIOCore

/// Settings of a ``FileStreamStore``. Durability is not one of them: an append is acknowledged only
/// after its bytes and metadata are on disk, always.
public struct FileStoreOptions: Sendable {
    /// Most log files kept open at once (least recently used ones are closed beyond it).
    public var maxOpenFiles: Int
    /// Threads that read logs (`pread`), so reads never block an event loop.
    public var readThreads: Int
    /// Threads that `fdatasync` the logs touched by one group commit concurrently (they share journal commits).
    public var syncThreads: Int
    /// Largest size the LMDB metadata may grow to, in bytes. Reserves address space, not disk.
    public var metadataMapSize: Int
    /// Serve the directory without changing it: reads work, creates, appends and deletes get `503`.
    /// Chosen automatically when the directory is on a read-only file system.
    public var readOnly: Bool
    /// Where recovery, cut log tails and I/O failures are reported.
    public var logger: Logger
    /// How long opening waits for the directory's lock while another holder may be letting it go: a store
    /// closing in this process, or a child process being spawned that still holds a copy of the lock's
    /// (close-on-exec) descriptor until it execs. A directory still locked after this is refused.
    public var lockWait: Duration = .seconds(2)
    /// Fault injection for tests: called before each I/O step of the writer; a non-nil errno fails that step.
    package var faultInjector: (@Sendable (WriterStep) -> Int32?)?

    /// Creates options with production defaults: 4096 open files, one read thread per core (at least 2),
    /// 8 sync threads, a 64 GiB metadata map.
    public init(
        maxOpenFiles: Int = 4096,
        readThreads: Int = max(2, System.coreCount),
        syncThreads: Int = 8,
        metadataMapSize: Int = 64 << 30,
        readOnly: Bool = false,
        logger: Logger = Logger(label: "durable-streams.file-store")
    ) {
        self.maxOpenFiles = maxOpenFiles
        self.readThreads = readThreads
        self.syncThreads = syncThreads
        self.metadataMapSize = metadataMapSize
        self.readOnly = readOnly
        self.logger = logger
    }
}

/// The I/O steps of a group commit, named for fault injection.
package enum WriterStep: Sendable, Hashable {
    /// Creating a new log file.
    case createLog
    /// Writing frames to a log.
    case writeLog
    /// `fdatasync` of a log.
    case syncLog
    /// Committing the LMDB transaction.
    case commitMetadata
}
