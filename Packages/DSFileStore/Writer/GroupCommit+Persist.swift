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
    /// Writes and syncs the frames, then commits the metadata. Throws without having committed anything.
    func persist() throws(FileStoreFailure) {
        var createdLog = false
        var written: [PendingStream] = []
        do {
            for key in order {
                guard let working = pending[key], !working.removed, let frames = working.frames else { continue }
                written.append(working)
                if !working.committed.hasFrames {
                    try createLog(for: working.stream)
                    createdLog = true
                }
                try context.inject(.writeLog)
                try context.files.withDescriptor(stream: working.stream.id, path: context.directory.logPath(working.stream.fileName)) {
                    (fd) throws(FileStoreFailure) in
                    try frames.withReadableBytes { (bytes) throws(FileStoreFailure) in
                        try SystemCall.write(fd, bytes, at: working.committed.fileEnd)
                    }
                }
            }
            let context = self.context
            let syncStarted = ContinuousClock.now
            try context.syncer.run(written.map { $0.stream }) { stream in
                do throws(FileStoreFailure) {
                    try context.inject(.syncLog)
                    try context.files.withDescriptor(stream: stream.id, path: context.directory.logPath(stream.fileName)) {
                        (fd) throws(FileStoreFailure) in try SystemCall.syncData(fd)
                    }
                    return nil
                } catch {
                    return error
                }
            }
            if createdLog { try SystemCall.syncDirectory(context.directory.streamsPath) }
            let changes = metadataChanges()
            if !changes.isEmpty {
                try context.inject(.commitMetadata)
                try context.metadata.commit(changes)
            }
            let syncDuration = ContinuousClock.now - syncStarted
            groupCommitMetrics.recordFsyncBatch(
                appends: replies.count,
                durationNanoseconds: syncDuration.components.seconds * 1_000_000_000 + syncDuration.components.attoseconds / 1_000_000_000
            )
            context.statistics.record(
                requests: replies.count,
                committed: !changes.isEmpty,
                logSyncs: written.count,
                bytes: written.reduce(0) { $0 + ($1.frames?.readableBytes ?? 0) }
            )
        } catch {
            groupCommitMetrics.recordFsyncFailure()
            undoWrites(written)
            throw error
        }
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
