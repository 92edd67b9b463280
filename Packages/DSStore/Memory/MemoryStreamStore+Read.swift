import DSProtocol
import NIOCore

extension MemoryStreamStore {
    public func read(_ request: ReadRequest, on eventLoop: any EventLoop) -> EventLoopFuture<ReadOutcome> {
        eventLoop.makeCompletedFuture(Result { () throws(StoreError) in try readNow(request) })
    }

    public func readImmediately(_ request: ReadRequest) -> Result<ReadOutcome, StoreError>? {
        Result { () throws(StoreError) in try readNow(request) }
    }

    private func readNow(_ request: ReadRequest) throws(StoreError) -> ReadOutcome {
        let step = try withLiveStream(request.path, now: request.now) { (stream, state) throws(StoreError) -> ReadStep in
            state.touch(request.now)
            let tail = state.tail
            let position = try request.start.position(tail: tail)
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

    /// A read of a fork that starts below its fork offset: the shared ``StitchedRead`` walks the ancestry from
    /// the range holding `position` into the fork's own bytes, locking one stream at a time.
    private static func stitchedRead(of stream: MemoryStream, info: StreamInfo, from position: UInt64, maxBytes: Int) -> ReadOutcome {
        let tail = info.tail.position
        let ranges = [InheritedRange].readable(ancestry: stream.ancestry, stream: stream, base: stream.base, tail: tail)
        let (start, next, chunks) = StitchedRead.read(
            ranges,
            from: position,
            tail: tail,
            maxBytes: maxBytes,
            alignedStart: { range, position in range.stream.state.withLock { $0.alignedStart(position, limit: range.end) } },
            readRange: { range, from, budget, needOne in
                range.stream.state.withLock { $0.read(from: from, limit: range.end, budget: budget, needOne: needOne) }
            }
        )
        return ReadOutcome(info: info, start: StreamOffset(position: start), next: StreamOffset(position: next), chunks: chunks)
    }

    private enum ReadStep: Sendable {
        case done(ReadOutcome)
        case inherited(MemoryStream, StreamInfo, from: UInt64)
    }
}
