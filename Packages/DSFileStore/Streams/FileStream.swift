import DSStore
import NIOCore
import Synchronization

/// One stream of the file store: its committed state behind its own lock.
///
/// Only the writer thread changes what is durable (``StreamRecord`` except `lastAccess`), and only after the
/// change is committed; readers and waiters see committed state only. Reads slide TTLs (`lastAccess`) and
/// mark the record so the writer persists the new value lazily.
///
/// A fork shares its source's offset space: its own log starts at its fork offset, and every position below
/// that is read from the ancestor listed in ``ancestry``. Both are fixed at creation (and rebuilt from the fork
/// links on open), so resolving a position needs no lock.
final class FileStream: StreamTableEntry {
    let path: String
    let id: UInt64
    /// The LMDB key: the path's file-name encoding.
    let name: String
    /// The log's file name in `streams/`.
    let fileName: String
    /// Where the stream's own data starts: `0`, or a fork's fork offset.
    let base: UInt64
    /// For a fork: the stream it was forked from, which holds one reference count for it until it is removed.
    let source: FileStream?
    /// The ancestors' data this stream shows below its fork offset, in offset order, contiguous from `0`.
    let ancestry: [InheritedRange<FileStream>]
    let state: Mutex<State>

    init(name: String, record: StreamRecord, source: FileStream? = nil, ancestry: [InheritedRange<FileStream>] = []) {
        self.path = record.path
        self.id = record.id
        self.name = name
        self.fileName = DataDirectory.logFileName(name: name, id: record.id)
        self.base = record.base
        self.source = source
        self.ancestry = ancestry
        self.state = Mutex(State(record: record))
    }

    /// Where a stream stands in its life, as requests see it.
    enum Lifecycle: Sendable, Equatable {
        /// Readable and writable at its path.
        case live
        /// Deleted or expired while forks still read its data: `410 Gone`, its path blocked.
        case softDeleted
        /// Deleted or expired for good; every later operation on this object fails.
        case removed
    }

    struct State: ~Copyable {
        var record: StreamRecord
        var waiters = WaiterList()
        var lifecycle: Lifecycle
        /// Forks the writer attached to this stream in a group commit that is not published yet. Counted with
        /// `record.forkReferences` when an expiry decides between a soft and a hard removal, so a fork being
        /// committed is never left without its source.
        var reservedForks = 0
        /// `record.lastAccess` moved since it was last written to LMDB.
        var accessDirty = false
        /// The latest committed frames, kept while readers wait here or read them; they end at `record.log.fileEnd`.
        var recentFrames: RecentFrames?

        init(record: StreamRecord) {
            self.record = record
            self.lifecycle = record.softDeleted ? .softDeleted : .live
        }

        var isLive: Bool { lifecycle == .live }

        /// Forks that use this stream's data, committed or being committed.
        var forkCount: UInt64 { record.forkReferences + UInt64(reservedForks) }
    }
}
