import DSStore
import NIOCore

/// What a read needs from the stream, copied under its lock so the file work runs without it.
struct ReadPlan: Sendable {
    let stream: FileStream
    let info: StreamInfo
    /// The requested start position (at most the tail).
    let start: UInt64
    let log: LogGeometry
    let isJSON: Bool
    let maxBytes: Int
}

/// Serves a read from a stream's log on a reader thread, in time proportional to the bytes returned:
/// it seeks to the frame holding the start (current window, or the LMDB checkpoint at or before it),
/// walks at most one window of frames, and reads the returned frames with their checksums verified.
enum LogReader {
    static func read(_ plan: ReadPlan, context: StoreContext) throws(FileStoreFailure) -> ReadOutcome {
        let log = plan.log
        let origin: LogPosition
        if let exact = log.frameStart(containing: plan.start) {
            origin = exact
        } else if plan.start >= log.window.stream {
            origin = log.window
        } else {
            origin = try context.metadata.checkpoint(stream: plan.stream.id, atOrBefore: plan.start)
        }
        let path = context.directory.logPath(plan.stream.fileName)
        return try context.files.withDescriptor(stream: plan.stream.id, path: path) { (fd) throws(FileStoreFailure) in
            let blockSize = min(plan.maxBytes, 4 << 20) + Int(LogGeometry.windowBytes)
            var scanner = FrameScanner(fd: fd, from: origin, fileEnd: log.fileEnd, blockSize: blockSize)
            let (start, end, payloads) = plan.isJSON
                ? try readMessages(&scanner, plan: plan)
                : try readBytes(&scanner, plan: plan)
            return ReadOutcome(
                info: plan.info,
                start: .init(position: start),
                next: .init(position: end),
                chunks: joined(payloads)
            )
        }
    }

    /// Bytes `[start, min(tail, start + maxBytes))`, cut out of whole verified frames.
    private static func readBytes(_ scanner: inout FrameScanner, plan: ReadPlan) throws(FileStoreFailure) -> (UInt64, UInt64, [ByteBuffer]) {
        let start = plan.start
        let end = min(plan.log.streamEnd, start &+ UInt64(max(plan.maxBytes, 1)))
        var payloads: [ByteBuffer] = []
        while scanner.position.stream < end {
            guard let frame = try scanner.next(wantsPayload: { frameStart, length in frameStart + length > start }) else {
                throw .corrupt("the log of \(plan.info.path) ends before its committed tail")
            }
            guard var payload = frame.payload else { continue }
            let from = max(start, frame.start) - frame.start
            let to = min(end, frame.end) - frame.start
            payload.moveWriterIndex(to: payload.readerIndex + Int(to))
            payload.moveReaderIndex(forwardBy: Int(from))
            payloads.append(payload)
        }
        return (start, end, payloads)
    }

    /// Whole messages from the first message boundary at or after the start: as many as fit in `maxBytes`, at least one.
    private static func readMessages(_ scanner: inout FrameScanner, plan: ReadPlan) throws(FileStoreFailure) -> (UInt64, UInt64, [ByteBuffer]) {
        let requested = plan.start
        var start: UInt64?
        var end = plan.log.streamEnd
        var payloads: [ByteBuffer] = []
        while true {
            let limit = start.map { $0 &+ UInt64(max(plan.maxBytes, 1)) }
            let frame = try scanner.next { frameStart, length in
                guard frameStart >= requested else { return false }
                guard let limit else { return true }
                return frameStart + length <= limit
            }
            guard let frame else { break }
            if frame.start < requested { continue }
            guard let payload = frame.payload else {
                end = frame.start
                break
            }
            if start == nil { start = frame.start }
            payloads.append(payload)
            end = frame.end
        }
        return (start ?? plan.log.streamEnd, end, payloads)
    }

    /// One buffer per read: a single payload as it is, several copied together (the bytes returned, once).
    private static func joined(_ payloads: [ByteBuffer]) -> [ByteBuffer] {
        guard payloads.count > 1 else { return payloads }
        var out = ByteBufferAllocator().buffer(capacity: payloads.reduce(0) { $0 + $1.readableBytes })
        for payload in payloads { out.writeImmutableBuffer(payload) }
        return [out]
    }
}
