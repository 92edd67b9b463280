#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension Recovery {
    /// Rewrites the journal's current lap into the logs, syncs them, and starts an empty lap.
    ///
    /// Each entry is written back at its position, but only up to its stream's committed end in LMDB: bytes past
    /// it belong to a group that never committed (and was never acknowledged), exactly like log bytes past it.
    /// Entries of streams LMDB does not hold (deleted, or created by a group that never committed) are skipped.
    /// Records are applied in sequence order, so where a failed group's bytes were later overwritten by a
    /// committed one, the committed bytes win. Rewriting the same bytes again changes nothing, so a crash
    /// during replay is repaired by the next open; the journal is emptied only once the logs are synced.
    static func replayJournal(_ journal: inout Journal, records: [(name: String, record: StreamRecord)], context: StoreContext) throws(FileStoreFailure) {
        var targets: [UInt64: (fileName: String, fileEnd: UInt64)] = [:]
        for (name, record) in records where record.log.hasFrames {
            targets[record.id] = (DataDirectory.logFileName(name: name, id: record.id), record.log.fileEnd)
        }
        var opened: [String: Int32] = [:]
        defer { for fd in opened.values { SystemCall.closeFile(fd) } }
        var (recordCount, rewritten, ignored) = (0, 0, 0)
        let last = try journal.readLap { (_, entries) throws(FileStoreFailure) in
            recordCount += 1
            for entry in entries {
                guard let target = targets[entry.streamID] else {
                    ignored += 1
                    continue
                }
                let end = min(entry.position + UInt64(entry.bytes.readableBytes), target.fileEnd)
                guard end > entry.position else {
                    ignored += 1
                    continue
                }
                let fd: Int32
                if let open = opened[target.fileName] {
                    fd = open
                } else {
                    do throws(FileStoreFailure) {
                        fd = try SystemCall.openFile(context.directory.logPath(target.fileName), O_RDWR)
                    } catch .system(let code, _) where code == ENOENT {
                        ignored += 1  // lost below the store: the log checks report it
                        continue
                    }
                    opened[target.fileName] = fd
                }
                let count = Int(end - entry.position)
                try entry.bytes.withReadableBytes { (bytes) throws(FileStoreFailure) in
                    try SystemCall.write(fd, UnsafeRawBufferPointer(rebasing: bytes[0..<count]), at: entry.position)
                }
                rewritten += 1
            }
        }
        for fd in opened.values { try SystemCall.syncData(fd) }
        try journal.reset(startSequence: last.map { $0 + 1 } ?? journal.nextSequence)
        if recordCount > 0 {
            context.logger.info(
                "replayed the journal into the logs",
                metadata: ["records": "\(recordCount)", "rewritten": "\(rewritten)", "ignored": "\(ignored)", "logs": "\(opened.count)"]
            )
        }
    }
}
