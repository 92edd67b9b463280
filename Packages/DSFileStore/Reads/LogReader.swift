import DSStore
import NIOCore

/// What a read needs from the stream, copied under its lock so the file work runs without it.
struct ReadPlan: Sendable {
    let stream: FileStream
    let info: StreamInfo
    /// The requested start position (at most the tail).
    let start: UInt64
    /// The stream's own committed log.
    let log: LogGeometry
    let isJSON: Bool
    let maxBytes: Int
}

/// Serves a read from a stream's log on a reader thread, in time proportional to the bytes returned:
/// it seeks to the frame holding the start (current window, or the LMDB checkpoint at or before it),
/// walks at most one window of frames, and reads the returned frames with their checksums verified.
/// A fork's read that starts below its fork offset reads its ancestors' logs first (``StitchedRead``).
enum LogReader {
    static func read(_ plan: ReadPlan, context: StoreContext) throws(FileStoreFailure) -> ReadOutcome {
        let own = LogSegment(stream: plan.stream, log: plan.log)
        let tail = plan.info.tail.position
        let result: (start: UInt64, next: UInt64, chunks: [ByteBuffer])
        if plan.start >= plan.log.base {
            result = try read(own, from: plan.start, limit: tail, budget: plan.maxBytes, needOne: true, isJSON: plan.isJSON, context: context)
        } else {
            let ranges = [InheritedRange].readable(ancestry: plan.stream.ancestry, stream: plan.stream, base: plan.log.base, tail: tail)
            guard let first = ranges.first, first.start == 0 else {
                throw .corrupt("the data \(plan.info.path) inherits from its fork source is missing")
            }
            let segment = { (stream: FileStream) -> LogSegment in stream === plan.stream ? own : .committed(stream) }
            result = try StitchedRead.read(
                ranges,
                from: plan.start,
                tail: tail,
                maxBytes: plan.maxBytes,
                alignedStart: { (range, position) throws(FileStoreFailure) in
                    guard plan.isJSON, position > range.start else { return position }
                    return try LogRecordIndex(segment(range.stream), context: context).messageStart(atOrAfter: position, limit: range.end)
                },
                readRange: { (range, from, budget, needOne) throws(FileStoreFailure) in
                    let part = try read(segment(range.stream), from: from, limit: range.end, budget: budget, needOne: needOne, isJSON: plan.isJSON, context: context)
                    return (part.chunks, part.next)
                }
            )
        }
        return ReadOutcome(info: plan.info, start: .init(position: result.start), next: .init(position: result.next), chunks: joined(result.chunks))
    }

    /// Serves a read of the stream's own log from frames kept in memory (``RecentFrames/covers(_:)`` holds for
    /// its start): the same answer as from the file, with no file read.
    static func read(_ plan: ReadPlan, from recent: RecentFrames) throws(FileStoreFailure) -> ReadOutcome {
        var scanner = recent.scanner(from: plan.log.frameStart(containing: plan.start))
        let result = try walk(&scanner, from: plan.start, limit: plan.info.tail.position, budget: plan.maxBytes, needOne: true, isJSON: plan.isJSON)
        return ReadOutcome(info: plan.info, start: .init(position: result.start), next: .init(position: result.next), chunks: joined(result.chunks))
    }

    /// Reads one log from `start` up to `limit` (at most its committed end) with a byte budget; JSON streams
    /// return whole messages from the first message boundary at or after `start`, at least one when `needOne`.
    static func read(
        _ segment: LogSegment,
        from start: UInt64,
        limit: UInt64,
        budget: Int,
        needOne: Bool,
        isJSON: Bool,
        context: StoreContext
    ) throws(FileStoreFailure) -> (start: UInt64, next: UInt64, chunks: [ByteBuffer]) {
        guard start < limit else { return (start, start, []) }
        let blockSize = min(max(budget, 0), 4 << 20) + Int(LogGeometry.windowBytes)
        return try segment.scan(from: start, blockSize: blockSize, context: context) { (scanner) throws(FileStoreFailure) in
            try walk(&scanner, from: start, limit: limit, budget: budget, needOne: needOne, isJSON: isJSON)
        }
    }

    /// Whole messages (JSON) or bytes from the frames `scanner` walks: see ``readMessages`` and ``readBytes``.
    private static func walk(
        _ scanner: inout FrameScanner,
        from start: UInt64,
        limit: UInt64,
        budget: Int,
        needOne: Bool,
        isJSON: Bool
    ) throws(FileStoreFailure) -> (start: UInt64, next: UInt64, chunks: [ByteBuffer]) {
        isJSON
            ? try readMessages(&scanner, from: start, limit: limit, budget: budget, needOne: needOne)
            : try readBytes(&scanner, from: start, limit: limit, budget: budget, needOne: needOne)
    }

    /// Bytes `[start, min(limit, start + budget))`, cut out of whole verified frames.
    private static func readBytes(
        _ scanner: inout FrameScanner,
        from start: UInt64,
        limit: UInt64,
        budget: Int,
        needOne: Bool
    ) throws(FileStoreFailure) -> (start: UInt64, next: UInt64, chunks: [ByteBuffer]) {
        let end = min(limit, start &+ UInt64(max(budget, needOne ? 1 : 0)))
        var payloads: [ByteBuffer] = []
        while scanner.position.stream < end {
            guard let frame = try scanner.next(wantsPayload: { frameStart, length in frameStart + length > start }) else {
                throw .corrupt("a log ends before its committed tail")
            }
            guard var payload = frame.payload else { continue }
            let from = max(start, frame.start) - frame.start
            let to = min(end, frame.end) - frame.start
            payload.moveWriterIndex(to: payload.readerIndex + Int(to))
            payload.moveReaderIndex(forwardBy: Int(from))
            payloads.append(payload)
        }
        return (start, max(start, end), payloads)
    }

    /// Whole messages from the first message boundary at or after `requested` and before `limit`: as many as
    /// fit in `budget` bytes, at least one when `needOne`.
    private static func readMessages(
        _ scanner: inout FrameScanner,
        from requested: UInt64,
        limit: UInt64,
        budget: Int,
        needOne: Bool
    ) throws(FileStoreFailure) -> (start: UInt64, next: UInt64, chunks: [ByteBuffer]) {
        var first: UInt64?
        var end = limit
        var payloads: [ByteBuffer] = []
        while scanner.position.stream < limit {
            let budgetEnd = first.map { $0 &+ UInt64(max(budget, 0)) }
            let frame = try scanner.next { frameStart, length in
                guard frameStart >= requested else { return false }
                guard let budgetEnd else { return needOne || length <= UInt64(max(budget, 0)) }
                return frameStart + length <= budgetEnd
            }
            guard let frame else { throw .corrupt("a log ends before its committed tail") }
            if frame.start < requested { continue }
            if first == nil { first = frame.start }
            guard let payload = frame.payload else {
                end = frame.start
                break
            }
            payloads.append(payload)
            end = frame.end
        }
        guard let first else { return (limit, limit, []) }
        return (first, end, payloads)
    }

    /// One buffer per read: a single payload as it is, several copied together (the bytes returned, once).
    private static func joined(_ payloads: [ByteBuffer]) -> [ByteBuffer] {
        guard payloads.count > 1 else { return payloads }
        var out = ByteBufferAllocator().buffer(capacity: payloads.reduce(0) { $0 + $1.readableBytes })
        for payload in payloads { out.writeImmutableBuffer(payload) }
        return [out]
    }
}
