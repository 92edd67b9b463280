import DSProtocol
import NIOCore

extension MemoryStreamStore {
    public func read(_ request: ReadRequest, on eventLoop: any EventLoop) -> EventLoopFuture<ReadOutcome> {
        eventLoop.makeCompletedFuture(Result { () throws(StoreError) in try readNow(request) })
    }

    private func readNow(_ request: ReadRequest) throws(StoreError) -> ReadOutcome {
        let step = try withLiveStream(request.path, now: request.now) { (stream, state) throws(StoreError) -> ReadStep in
            state.touch(request.now)
            let tail = state.tail
            let position: UInt64
            switch request.start {
            case .beginning: position = 0
            case .tail: position = tail
            case .offset(let offset):
                guard offset.segment == 0, offset.position <= tail else {
                    throw .invalid(.badRequest("offset is beyond the stream's tail"))
                }
                position = offset.position
            }
            let info = stream.info(state)
            guard position >= state.base else { return .inherited(stream, info, from: position) }
            let start = state.alignedStart(position, limit: tail)
            let (chunks, end) = state.read(from: start, limit: tail, budget: request.maxBytes, needOne: true)
            return .done(ReadOutcome(info: info, start: StreamOffset(position: start), next: StreamOffset(position: end), chunks: chunks))
        }
        switch step {
        case .done(let outcome):
            return outcome
        case .inherited(let stream, let info, let position):
            return Self.stitchedRead(of: stream, info: info, from: position, maxBytes: request.maxBytes)
        }
    }

    /// A read of a fork that starts below its fork offset: walks the ancestry from the range holding `position`
    /// and continues into the fork's own bytes, locking one stream at a time. The bytes are immutable up to
    /// `info.tail`, so the result is the same as one read under a single lock.
    private static func stitchedRead(of stream: MemoryStream, info: StreamInfo, from position: UInt64, maxBytes: Int) -> ReadOutcome {
        let tail = info.tail.position
        var ranges = stream.ancestry
        if tail > stream.base { ranges.append(InheritedRange(stream: stream, start: stream.base, end: tail)) }
        var index = ranges.firstIndex(holding: position)
        let first = ranges[index]
        let start = first.stream.state.withLock { $0.alignedStart(position, limit: first.end) }
        var cursor = start
        var budget = maxBytes
        var chunks: [ByteBuffer] = []
        while index < ranges.count, cursor < tail {
            let range = ranges[index]
            let part = range.stream.state.withLock { state in
                state.read(from: cursor, limit: range.end, budget: budget, needOne: chunks.isEmpty)
            }
            chunks += part.chunks
            budget -= Int(part.end - cursor)
            cursor = part.end
            if cursor < range.end { break }  // the budget ran out inside this range
            index += 1
        }
        return ReadOutcome(info: info, start: StreamOffset(position: start), next: StreamOffset(position: cursor), chunks: chunks)
    }

    private enum ReadStep: Sendable {
        case done(ReadOutcome)
        case inherited(MemoryStream, StreamInfo, from: UInt64)
    }
}

extension Array where Element == InheritedRange {
    /// Index of the range containing `position` (ranges are contiguous and sorted); `count` past the last.
    func firstIndex(holding position: UInt64) -> Int {
        var low = 0
        var high = count
        while low < high {
            let mid = (low + high) / 2
            if self[mid].end <= position { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
