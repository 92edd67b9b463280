import DSStore

/// Finds record boundaries in one stream's log by walking frame headers from the nearest frame start
/// (``LogSegment/origin(for:context:)``), for fork creation and for reads that start in inherited JSON data.
///
/// A JSON message is one frame; a binary append is one or more frames, all but the last flagged as continued
/// (``LogFrame/continuedFlag``). Runs on reader threads: it reads the file.
struct LogRecordIndex: ForkRecordIndex {
    let segment: LogSegment
    let context: StoreContext

    init(_ segment: LogSegment, context: StoreContext) {
        self.segment = segment
        self.context = context
    }

    /// Headers only: small blocks, so walking the 64 KiB frames of a large binary append reads one block per
    /// frame rather than every payload, while a block still holds dozens of small JSON frames.
    private static let blockSize = 4096

    /// The first frame start at or after `position`, at most `limit` (a boundary itself).
    func messageStart(atOrAfter position: UInt64, limit: UInt64) throws(FileStoreFailure) -> UInt64 {
        try walk(from: position) { frame in
            if frame.start >= position { return min(frame.start, limit) }
            return frame.end >= limit ? limit : nil
        } ?? limit
    }

    func isRecordBoundary(_ position: UInt64) throws(StoreError) -> Bool {
        if position == segment.log.base || position == segment.log.streamEnd { return true }
        // The frame holding the byte before `position` ends a record exactly there, or it is no boundary.
        return try mapped { () throws(FileStoreFailure) in
            try walk(from: position - 1) { frame in frame.end >= position ? (frame.end == position && !frame.continued) : nil } ?? false
        }
    }

    func recordEnd(containing position: UInt64, limit: UInt64) throws(StoreError) -> UInt64 {
        try mapped { () throws(FileStoreFailure) in
            try walk(from: position) { frame in
                guard frame.end > position else { return nil }
                if frame.end >= limit { return limit }
                return frame.continued ? nil : frame.end
            } ?? limit
        }
    }

    func position(after count: UInt64, recordsFrom position: UInt64, limit: UInt64) throws(StoreError) -> (end: UInt64, passed: UInt64) {
        guard count > 0 else { return (position, 0) }
        var passed: UInt64 = 0
        let end = try mapped { () throws(FileStoreFailure) in
            try walk(from: position) { frame -> UInt64? in
                guard frame.end > position else { return nil }
                if frame.end > limit { return limit }
                if !frame.continued {
                    passed += 1
                    if passed == count { return frame.end }
                }
                return frame.end == limit ? limit : nil
            } ?? limit
        }
        return (end, passed)
    }

    /// Walks frames from the one holding `position` until `visit` returns a value (or the log ends: `nil`).
    private func walk<R>(from position: UInt64, _ visit: (FrameScanner.Frame) -> R?) throws(FileStoreFailure) -> R? {
        try segment.scan(from: position, blockSize: Self.blockSize, context: context) { (scanner) throws(FileStoreFailure) -> R? in
            while let frame = try scanner.next(wantsPayload: { _, _ in false }) {
                if let result = visit(frame) { return result }
            }
            return nil
        }
    }

    private func mapped<R>(_ body: () throws(FileStoreFailure) -> R) throws(StoreError) -> R {
        do {
            return try body()
        } catch {
            throw error.storeError
        }
    }
}
