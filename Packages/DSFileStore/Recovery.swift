/// Brings a data directory back to its last commit point when a store opens.
///
/// LMDB's committed record of each stream is the truth. First the shared journal's records are rewritten into
/// the logs up to each stream's committed end (``replayJournal(_:records:context:)``): acknowledged bytes whose
/// log was not synced yet are back. Then every log is checked against its record as it always was. Log bytes
/// beyond the committed end were never acknowledged (a crash hit between the write and the commit) and are
/// cut. A log shorter than its committed end means acknowledged data was lost below us (a lying disk, an
/// edited file): the stream is rolled back to its last intact frame and the loss is logged as an error. Log files no record refers to are left-overs
/// of creates that never committed or deletes that crashed before their rename, and go to the trash.
/// Running it again on its own result changes nothing. On a read-only directory it repairs nothing: reads
/// never look past a committed end, and a stream with lost data fails its reads instead of rolling back.
/// A read-only directory is opened without a journal (`journal` is `nil`): nothing is replayed.
enum Recovery {
    static func run(context: StoreContext, journal: inout Journal?) throws(FileStoreFailure) -> (streams: [FileStream], nextID: UInt64) {
        let readOnly = journal == nil
        let (loaded, storedNextID) = try context.metadata.loadAll()
        var nextID = storedNextID
        // Ids only grow, so a fork's source always sorts before it.
        var records = loaded.sorted { $0.record.id < $1.record.id }
        if var writable = journal {
            try replayJournal(&writable, records: records, context: context)
            journal = writable
        }
        var (changed, collected) = reconcileForks(&records, context: context)
        var expectedFiles = Set<String>(minimumCapacity: records.count)
        var repairs = MetadataChanges()
        for index in records.indices {
            let (name, record) = records[index]
            nextID = max(nextID, record.id + 1)
            if collected.contains(index) {
                repairs.removals.append((name, record.id))
                continue
            }
            let fileName = DataDirectory.logFileName(name: name, id: record.id)
            expectedFiles.insert(fileName)
            if readOnly {
                try inspectLog(of: record, fileName: fileName, context: context)
            } else if let lostFrom = try recoverLog(of: &records[index].record, fileName: fileName, context: context) {
                changed.insert(index)
                repairs.checkpointRollbacks.append(.init(streamID: record.id, from: lostFrom))
            }
        }
        for index in changed.sorted() where !collected.contains(index) { repairs.records.append(records[index]) }
        if nextID != storedNextID { repairs.nextID = nextID }
        let streams = makeStreams(records, skipping: collected)
        guard !readOnly else { return (streams, nextID) }
        if !repairs.isEmpty { try context.metadata.commit(repairs) }
        try moveOrphans(keeping: expectedFiles, context: context)
        return (streams, nextID)
    }

    /// Reports, without changing anything, what ``recoverLog(of:fileName:context:)`` would repair.
    private static func inspectLog(of record: StreamRecord, fileName: String, context: StoreContext) throws(FileStoreFailure) {
        guard record.log.hasFrames else { return }
        let size = try SystemCall.fileSize(context.directory.logPath(fileName)) ?? 0
        if size < record.log.fileEnd {
            context.logger.error(
                "a log is shorter than its committed end and the directory is read-only: reads of the lost part fail",
                metadata: ["stream": "\(record.path)", "file": "\(fileName)"]
            )
        } else if size > record.log.fileEnd {
            context.logger.info("ignoring unacknowledged bytes past a log's committed end (read-only)", metadata: ["stream": "\(record.path)", "bytes": "\(size - record.log.fileEnd)"])
        }
    }

    /// Cuts or repairs one stream's log; returns the stream position from which checkpoints became invalid
    /// when the record had to be rolled back.
    private static func recoverLog(of record: inout StreamRecord, fileName: String, context: StoreContext) throws(FileStoreFailure) -> UInt64? {
        let path = context.directory.logPath(fileName)
        let size = try SystemCall.fileSize(path)
        let committed = record.log.fileEnd
        if !record.log.hasFrames {
            // The log of an empty stream exists only when a first append crashed before its commit.
            if let size {
                try SystemCall.removeFile(path)
                context.logger.warning("removed the log of an empty stream: nothing in it was acknowledged", metadata: ["stream": "\(record.path)", "bytes": "\(size)"])
            }
            return nil
        }
        guard let size, size >= committed else {
            return try rollBack(&record, path: path, size: size ?? 0, context: context)
        }
        if size > committed {
            let fd = try SystemCall.openFile(path, O_RDWR)
            defer { SystemCall.closeFile(fd) }
            try SystemCall.truncate(fd, to: committed)
            try SystemCall.syncData(fd)
            context.logger.warning(
                "cut unacknowledged bytes from the end of a log",
                metadata: ["stream": "\(record.path)", "file": "\(fileName)", "bytes": "\(size - committed)", "tail": "\(record.log.streamEnd)"]
            )
        }
        return nil
    }

    /// Rolls a stream back to the last intact frame of a log shorter than its committed end.
    private static func rollBack(_ record: inout StreamRecord, path: String, size: UInt64, context: StoreContext) throws(FileStoreFailure) -> UInt64 {
        let lostFrom = record.log.streamEnd
        var log = LogGeometry(base: record.base)
        if size >= LogGeometry.fileHeaderSize {
            let origin = try context.metadata.checkpoints(stream: record.id).last { $0.file < size } ?? log.window
            log.streamEnd = origin.stream
            log.fileEnd = origin.file
            log.window = origin
            log.windowFrameCount = 0
            log.windowStarts = []
            let fd = try SystemCall.openFile(path, O_RDWR)
            defer { SystemCall.closeFile(fd) }
            var scanner = FrameScanner(fd: fd, from: origin, fileEnd: size, blockSize: Int(LogGeometry.windowBytes))
            while let frame = try? scanner.next(wantsPayload: { _, _ in true }) {
                log.windowStarts?.append(frame.start)
                log.windowFrameCount += 1
                log.streamEnd = frame.end
                log.fileEnd = scanner.position.file
            }
            try SystemCall.truncate(fd, to: log.fileEnd)
            try SystemCall.syncData(fd)
        } else {
            try SystemCall.removeFile(path)
        }
        context.logger.error(
            "a log is shorter than its committed end: acknowledged data was lost; the stream is rolled back to its last intact frame",
            metadata: ["stream": "\(record.path)", "committedTail": "\(lostFrom)", "recoveredTail": "\(log.streamEnd)"]
        )
        record.log = log
        return log.window.stream + 1
    }

    private static func moveOrphans(keeping expected: Set<String>, context: StoreContext) throws(FileStoreFailure) {
        for name in try SystemCall.listDirectory(context.directory.streamsPath) where !expected.contains(name) {
            try SystemCall.renameFile(context.directory.logPath(name), context.directory.trashPath(name))
            context.logger.warning("moved a log no stream refers to into the trash (an uncommitted create or an interrupted delete)", metadata: ["file": "\(name)"])
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
