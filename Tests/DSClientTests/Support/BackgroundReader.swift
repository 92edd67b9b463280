import DSClient

/// Runs a reader in a background task and hands over its chunks one at a time, so a test can wait for a
/// reader to reach a point (such as "up to date") before it writes.
final class BackgroundReader: Sendable {
    /// The chunks as the reader returns them; finishes when the reader ends.
    let chunks: AsyncStream<StreamChunk>
    /// The reading task; its value is the reader's error, if it failed.
    let task: Task<DurableStreamError?, Never>

    init(_ sequence: ChunkSequence) {
        let (chunks, continuation) = AsyncStream.makeStream(of: StreamChunk.self)
        self.chunks = chunks
        self.task = Task {
            defer { continuation.finish() }
            do throws(DurableStreamError) {
                var iterator = sequence.makeAsyncIterator()
                while let chunk = try await iterator.next() { continuation.yield(chunk) }
                return nil
            } catch {
                return error
            }
        }
    }

    /// Stops the reader.
    func cancel() { task.cancel() }
}
