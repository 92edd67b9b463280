/// The chunks of a stream from an offset on, as an `AsyncSequence`; see ``DurableStream/read(from:mode:)``.
///
/// Each iteration starts its own reader at the sequence's starting offset. The sequence ends at
/// end-of-stream (the stream was closed and everything was read), when up to date in
/// ``ReadMode/catchUp`` mode, or when the iterating task is cancelled. Network failures, `429` and
/// `5xx` are retried under the configuration's ``RetryPolicy``; other failures end it with a
/// ``DurableStreamError``.
public struct ChunkSequence: AsyncSequence, Sendable {
    public typealias Element = StreamChunk
    public typealias Failure = DurableStreamError

    /// The stream read.
    public let stream: DurableStream
    /// Where each iteration starts.
    public let start: Offset
    /// How the reader follows the stream.
    public let mode: ReadMode

    init(stream: DurableStream, start: Offset, mode: ReadMode) {
        self.stream = stream
        self.start = start
        self.mode = mode
    }

    /// Starts a new reader at ``start``.
    public func makeAsyncIterator() -> Iterator {
        Iterator(session: ReadSession(stream: stream, offset: start, mode: mode))
    }

    /// Reads chunk after chunk.
    public struct Iterator: AsyncIteratorProtocol {
        var session: ReadSession

        /// The offset to resume from: just after the last chunk returned (the start before any).
        public var offset: Offset { session.offset }

        /// The next chunk, or `nil` at the end.
        public mutating func next() async throws(DurableStreamError) -> StreamChunk? {
            try await session.next()
        }
    }
}
