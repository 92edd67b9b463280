import Foundation
import NIOCore

extension DurableStream {
    /// The stream's bytes from `offset` on, chunk by chunk.
    ///
    /// ```swift
    /// for try await chunk in stream.read(from: savedOffset, mode: .auto) {
    ///     consume(chunk.data)
    ///     savedOffset = chunk.offset
    /// }
    /// // The loop ends when the stream is closed and fully read.
    /// ```
    ///
    /// - Parameters:
    ///   - offset: where to start: ``Offset/beginning``, ``Offset/now`` or an offset from an earlier chunk.
    ///   - mode: how to follow the stream once caught up.
    public func read(from offset: Offset = .beginning, mode: ReadMode = .auto) -> ChunkSequence {
        ChunkSequence(stream: self, start: offset, mode: mode)
    }

    /// The messages of a JSON stream, decoded as `Value`, one batch per server response.
    public func jsonBatches<Value: Decodable & Sendable>(
        as type: Value.Type = Value.self,
        from offset: Offset = .beginning,
        mode: ReadMode = .auto,
        decoder: @escaping @Sendable () -> JSONDecoder = { JSONDecoder() }
    ) -> JSONBatchSequence<Value> {
        JSONBatchSequence(chunks: read(from: offset, mode: mode), makeDecoder: decoder)
    }

    /// The messages of a JSON stream, decoded as `Value`, one at a time.
    ///
    /// ```swift
    /// for try await message in stream.messages(as: ChatMessage.self) {
    ///     show(message.value)
    ///     if let offset = message.resumeOffset { save(offset) }
    /// }
    /// ```
    public func messages<Value: Decodable & Sendable>(
        as type: Value.Type = Value.self,
        from offset: Offset = .beginning,
        mode: ReadMode = .auto,
        decoder: @escaping @Sendable () -> JSONDecoder = { JSONDecoder() }
    ) -> MessageSequence<Value> {
        MessageSequence(batches: jsonBatches(as: type, from: offset, mode: mode, decoder: decoder))
    }

    /// Reads everything the stream holds from `offset` on, without waiting for more.
    ///
    /// - Returns: the bytes (for JSON streams, one JSON array of all messages), the offset to resume from,
    ///   and whether the stream is closed.
    public func readAll(from offset: Offset = .beginning) async throws(DurableStreamError) -> (data: ByteBuffer, offset: Offset, closed: Bool) {
        var payloads: [ByteBuffer] = []
        var iterator = read(from: offset, mode: .catchUp).makeAsyncIterator()
        var closed = false
        var contentType: String?
        while let chunk = try await iterator.next() {
            payloads += chunk.payloads
            closed = chunk.closed
            contentType = chunk.contentType ?? contentType
        }
        let isJSON = contentType.map { $0.lowercased().hasPrefix("application/json") } ?? false
        return (StreamChunk.join(payloads, asJSON: isJSON), iterator.offset, closed)
    }
}
