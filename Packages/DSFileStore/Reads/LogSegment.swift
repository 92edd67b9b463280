/// One stream's log as a reader sees it: the committed geometry, snapshotted under the stream's lock, so the
/// file work runs without it. Frames below the snapshot's end never change.
struct LogSegment: Sendable {
    let stream: FileStream
    let log: LogGeometry

    /// The committed log of `stream` now.
    static func committed(_ stream: FileStream) -> LogSegment {
        LogSegment(stream: stream, log: stream.state.withLock { $0.record.log })
    }

    /// The frame to start walking from to reach `position`: the frame holding it in the current window, the
    /// current window, or the LMDB checkpoint at or before it (the log's first frame when there is none).
    func origin(for position: UInt64, context: StoreContext) throws(FileStoreFailure) -> LogPosition {
        if let exact = log.frameStart(containing: position) { return exact }
        if position >= log.window.stream { return log.window }
        return try context.metadata.checkpoint(stream: stream.id, atOrBefore: position, origin: log.origin)
    }

    /// Runs `body` with a scanner positioned on the frame that holds `position`, or just before it.
    func scan<R>(
        from position: UInt64,
        blockSize: Int,
        context: StoreContext,
        _ body: (inout FrameScanner) throws(FileStoreFailure) -> R
    ) throws(FileStoreFailure) -> R {
        let origin = try origin(for: position, context: context)
        let path = context.directory.logPath(stream.fileName)
        return try context.files.withDescriptor(stream: stream.id, path: path) { (fd) throws(FileStoreFailure) in
            var scanner = FrameScanner(fd: fd, from: origin, fileEnd: log.fileEnd, blockSize: blockSize)
            return try body(&scanner)
        }
    }
}
