import DSPathEncoding

/// The layout of a data directory.
///
/// ```
/// <root>/LOCK                    advisory lock: one server per directory
/// <root>/journal                shared write-ahead journal of the logs' recent writes
/// <root>/meta/                   LMDB environment (data.mdb, lock.mdb)
/// <root>/streams/<name>.<id>     one append-only log per stream
/// <root>/trash/                  logs of deleted streams, unlinked in the background
/// ```
/// `<name>` is `encodeStreamPath(path)` (safe, at most 240 bytes, hashed when long) and `<id>` the stream's
/// id in base 36, so a stream re-created at the same path never shares a file with its predecessor.
struct DataDirectory: Sendable {
    let root: String

    var lockPath: String { root + "/LOCK" }
    var journalPath: String { root + "/journal" }
    var metadataPath: String { root + "/meta" }
    var streamsPath: String { root + "/streams" }
    var trashPath: String { root + "/trash" }

    /// Creates the directories that do not exist yet.
    func prepare() throws(FileStoreFailure) {
        for path in [root, metadataPath, streamsPath, trashPath] { try SystemCall.makeDirectory(path) }
    }

    /// The LMDB key and file-name stem of a stream path.
    static func encodedName(of path: String) -> String { encodeStreamPath(path) }

    /// The log file name of one incarnation of a stream.
    static func logFileName(name: String, id: UInt64) -> String { name + "." + String(id, radix: 36) }

    func logPath(_ fileName: String) -> String { streamsPath + "/" + fileName }

    func trashPath(_ fileName: String) -> String { trashPath + "/" + fileName }
}
