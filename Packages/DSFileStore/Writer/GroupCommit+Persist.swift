import DSStore
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension GroupCommit {
    /// The streams this group writes frames to.
    private var written: [PendingStream] {
        order.compactMap { key in
            guard let working = pending[key], !working.removed, working.frames != nil else { return nil }
            return working
        }
    }

    /// Writes the frames and makes them durable: one `pwrite` per touched log (page cache only), then one
    /// record holding the same bytes in the shared journal and one `fdatasync` of it, however many logs the
    /// group touched (and an `fsync` of `streams/` when a log was created). A group that writes at least
    /// ``Journal/directSyncBytes`` to one single log `fdatasync`s that log instead and writes no record.
    /// Throws after cutting back what it wrote; nothing is committed yet either way.
    mutating func writeLogs(journal: inout Journal) throws(FileStoreFailure) {
        started = ContinuousClock.now
        var createdLog = false
        var done: [PendingStream] = []
        var entries: [JournalFormat.Entry] = []
        do {
            for working in written {
                guard let frames = working.frames else { continue }
                let id = working.stream.id
                done.append(working)
                if !working.committed.hasFrames {
                    try createLog(for: working.stream)
                    createdLog = true
                    // The header is not synced with the log either: the journal carries it too.
                    entries.append(.init(streamID: id, position: 0, bytes: ByteBuffer(bytes: LogFrame.fileHeader(streamID: id))))
                }
                try context.inject(.writeLog)
                try context.files.withDescriptor(stream: id, path: context.directory.logPath(working.stream.fileName)) {
                    (fd) throws(FileStoreFailure) in
                    try frames.withReadableBytes { (bytes) throws(FileStoreFailure) in
                        try SystemCall.write(fd, bytes, at: working.committed.fileEnd)
                    }
                }
                entries.append(.init(streamID: id, position: working.committed.fileEnd, bytes: frames))
            }
            if done.count == 1, let only = done.first, (only.frames?.readableBytes ?? 0) >= Journal.directSyncBytes {
                // One log and many bytes: syncing the log itself is cheaper than writing the bytes twice.
                try journal.prepareDirectSync(context: context)
                try context.syncLog(id: only.stream.id, fileName: only.stream.fileName)
                logSyncs = 1
            } else if !entries.isEmpty {
                try journal.append(entries, logs: done.map { ($0.stream.fileName, $0.stream.id) }, context: context)
                journalSyncs = 1
            }
            if createdLog { try SystemCall.syncDirectory(context.directory.streamsPath) }
        } catch {
            groupCommitMetrics.recordFsyncFailure()
            undoWrites(done)
            journal.requireCheckpoint()
            throw error
        }
    }

    /// Commits the group's metadata in one LMDB transaction, the commit point, once ``writeLogs()`` succeeded
    /// and every earlier group committed. Throws without having committed anything; the caller then cuts the
    /// logs back with ``undoWrites()``.
    func commitMetadata() throws(FileStoreFailure) {
        let changes = metadataChanges()
        do {
            if !changes.isEmpty {
                try context.inject(.commitMetadata)
                try context.metadata.commit(changes)
            }
        } catch {
            groupCommitMetrics.recordFsyncFailure()
            throw error
        }
        let syncDuration = ContinuousClock.now - started
        groupCommitMetrics.recordFsyncBatch(
            appends: replies.count,
            durationNanoseconds: syncDuration.components.seconds * 1_000_000_000 + syncDuration.components.attoseconds / 1_000_000_000
        )
        let written = self.written
        context.statistics.record(
            requests: replies.count,
            committed: !changes.isEmpty,
            journalSyncs: journalSyncs,
            logSyncs: logSyncs,
            bytes: written.reduce(0) { $0 + ($1.frames?.readableBytes ?? 0) }
        )
    }

    /// Cuts every log this group wrote back to where it stood before the group (removing the logs it
    /// created), after its commit failed. Call on the writer thread, once no later group writes.
    func undoWrites() {
        undoWrites(written)
    }

    private func createLog(for stream: FileStream) throws(FileStoreFailure) {
        try context.inject(.createLog)
        let path = context.directory.logPath(stream.fileName)
        let fd = try SystemCall.openFile(path, O_RDWR | O_CREAT | O_TRUNC)
        do {
            try LogFrame.fileHeader(streamID: stream.id).withBytes { (bytes) throws(FileStoreFailure) in
                try SystemCall.write(fd, bytes, at: 0)
            }
        } catch {
            SystemCall.closeFile(fd)
            throw error
        }
        context.files.install(stream: stream.id, fd: fd)
    }

    /// Cuts the logs back to their committed length, so a failed group leaves no trace a later write could expose.
    private func undoWrites(_ written: [PendingStream]) {
        for working in written {
            let path = context.directory.logPath(working.stream.fileName)
            if !working.committed.hasFrames {
                context.files.retire(stream: working.stream.id)
                try? SystemCall.removeFile(path)
                continue
            }
            do {
                try context.files.withDescriptor(stream: working.stream.id, path: path) { (fd) throws(FileStoreFailure) in
                    try SystemCall.truncate(fd, to: working.committed.fileEnd)
                }
            } catch {
                context.logger.warning("could not cut an unacknowledged write back; recovery cuts it at the next start", metadata: ["file": "\(working.stream.fileName)", "error": "\(error)"])
            }
        }
    }

    private func metadataChanges() -> MetadataChanges {
        var changes = MetadataChanges()
        for removal in removals where removal.committed {
            changes.removals.append((removal.stream.name, removal.stream.id))
        }
        for key in order {
            guard let working = pending[key], !working.removed, working.dirty else { continue }
            let id = working.stream.id
            changes.records.append((working.stream.name, working.record))
            for producerID in working.changedProducers {
                if let state = working.record.writer.producers[producerID] {
                    changes.producers.append(.init(streamID: id, producerID: producerID, state: state))
                }
            }
            for checkpoint in working.checkpoints {
                changes.checkpoints.append(.init(streamID: id, position: checkpoint))
            }
        }
        if nextID != firstID { changes.nextID = nextID }
        return changes
    }
}

/// Group-commit metrics (appends per fsync batch, sync + commit latency, failures) through swift-metrics;
/// created on first use, after the embedding process bootstrapped its metrics backend.
private let groupCommitMetrics = StoreMetrics()
