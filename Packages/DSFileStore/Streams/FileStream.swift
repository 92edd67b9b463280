import DSStore
import NIOCore
import Synchronization

/// One stream of the file store: its committed state behind its own lock.
///
/// Only the writer thread changes what is durable (``StreamRecord`` except `lastAccess`), and only after the
/// change is committed; readers and waiters see committed state only. Reads slide TTLs (`lastAccess`) and
/// mark the record so the writer persists the new value lazily.
final class FileStream: StreamTableEntry {
    let path: String
    let id: UInt64
    /// The LMDB key: the path's file-name encoding.
    let name: String
    /// The log's file name in `streams/`.
    let fileName: String
    let state: Mutex<State>

    init(name: String, record: StreamRecord) {
        self.path = record.path
        self.id = record.id
        self.name = name
        self.fileName = DataDirectory.logFileName(name: name, id: record.id)
        self.state = Mutex(State(record: record))
    }

    struct State: ~Copyable {
        var record: StreamRecord
        var waiters = WaiterList()
        /// Set once the stream is deleted or expired; every later operation on this object fails.
        var removed = false
        /// `record.lastAccess` moved since it was last written to LMDB.
        var accessDirty = false

        init(record: StreamRecord) {
            self.record = record
        }
    }
}
