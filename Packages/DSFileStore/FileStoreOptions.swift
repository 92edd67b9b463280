import Logging
import NIOCore

/// Settings of a ``FileStreamStore``. Durability is not one of them: an append is acknowledged only
/// after its bytes and metadata are on disk, always.
public struct FileStoreOptions: Sendable {
    /// Most log files kept open at once (least recently used ones are closed beyond it).
    public var maxOpenFiles: Int
    /// Threads that read logs (`pread`), so reads never block an event loop.
    public var readThreads: Int
    /// Threads that `fdatasync` logs concurrently at a checkpoint (they share file-system journal commits).
    public var syncThreads: Int
    /// Largest size the LMDB metadata may grow to, in bytes. Reserves address space, not disk.
    public var metadataMapSize: Int
    /// Serve the directory without changing it: reads work, creates, appends and deletes get `503`.
    /// Chosen automatically when the directory is on a read-only file system.
    public var readOnly: Bool
    /// Where recovery, cut log tails and I/O failures are reported.
    public var logger: Logger
    /// Most bytes of recently committed frames kept in memory, over all streams, for the readers waiting on
    /// them: those reads are answered without a file read (at most 64 KiB per stream, only while readers wait or
    /// read them).
    public var recentFramesBytes: Int
    /// How long opening waits for the directory's lock while another holder may be letting it go: a store
    /// closing in this process, or a child process being spawned that still holds a copy of the lock's
    /// (close-on-exec) descriptor until it execs. A directory still locked after this is refused.
    public var lockWait: Duration = .seconds(2)
    /// Bytes of journal records after which the writer checkpoints (syncs the logs written since the last
    /// checkpoint) and reuses the journal from its start. Bounds the journal file and the work of recovery.
    package var journalCapacity: UInt64 = 64 << 20
    /// Fault injection for tests: called before each I/O step of the writer; a non-nil errno fails that step.
    package var faultInjector: (@Sendable (WriterStep) -> Int32?)?

    /// Creates options with production defaults: 4096 open files, one read thread per core (at least 2),
    /// 8 sync threads, a 64 GiB metadata map, 32 MiB of recent frames for waiting readers.
    public init(
        maxOpenFiles: Int = 4096,
        readThreads: Int = max(2, System.coreCount),
        syncThreads: Int = 8,
        metadataMapSize: Int = 64 << 30,
        readOnly: Bool = false,
        logger: Logger = Logger(label: "durable-streams.file-store"),
        recentFramesBytes: Int = 32 << 20
    ) {
        self.maxOpenFiles = maxOpenFiles
        self.readThreads = readThreads
        self.syncThreads = syncThreads
        self.metadataMapSize = metadataMapSize
        self.readOnly = readOnly
        self.logger = logger
        self.recentFramesBytes = recentFramesBytes
    }
}

/// The I/O steps of a group commit, named for fault injection.
package enum WriterStep: Sendable, Hashable {
    /// Creating a new log file.
    case createLog
    /// Writing frames to a log.
    case writeLog
    /// `fdatasync` of a log (at a checkpoint).
    case syncLog
    /// Writing a group's record to the journal.
    case writeJournal
    /// `fdatasync` of the journal, which makes a group's log writes durable.
    case syncJournal
    /// Starting a checkpoint (syncing the logs, then reusing the journal).
    case checkpoint
    /// Committing the LMDB transaction.
    case commitMetadata
}
