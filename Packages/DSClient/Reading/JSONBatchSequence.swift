import DSProtocol
import Foundation
import NIOCore

/// The messages of one response of a JSON stream, decoded, with where to resume after them.
public struct JSONBatch<Message: Sendable>: Sendable {
    /// The decoded messages, in stream order (possibly none for an up-to-date or end-of-stream report).
    public var messages: [Message]
    /// The offset just after the last message: persist it to resume after this batch.
    public var offset: Offset
    /// Whether the reader had every message the stream held when this batch was sent.
    public var upToDate: Bool
    /// Whether the stream is closed and this batch reaches its end.
    public var closed: Bool
}

/// The decoded message batches of a JSON stream; see ``DurableStream/jsonBatches(as:from:mode:decoder:)``.
public struct JSONBatchSequence<Message: Decodable & Sendable>: AsyncSequence, Sendable {
    public typealias Element = JSONBatch<Message>
    public typealias Failure = DurableStreamError

    let chunks: ChunkSequence
    let makeDecoder: @Sendable () -> JSONDecoder

    /// Starts a new reader at the sequence's starting offset.
    public func makeAsyncIterator() -> Iterator {
        Iterator(chunks: chunks.makeAsyncIterator(), decoder: makeDecoder())
    }

    /// Reads batch after batch.
    public struct Iterator: AsyncIteratorProtocol {
        var chunks: ChunkSequence.Iterator
        let decoder: JSONDecoder

        /// The offset to resume from: just after the last batch returned.
        public var offset: Offset { chunks.offset }

        /// The next batch, or `nil` at the end.
        public mutating func next() async throws(DurableStreamError) -> JSONBatch<Message>? {
            guard let chunk = try await chunks.next() else { return nil }
            if let type = chunk.contentType, !chunk.isEmpty, !StreamContentType(type).isJSON {
                throw DurableStreamError(.invalidArgument, "the stream's content type is \(type), not application/json")
            }
            var messages: [Message] = []
            for raw in try chunk.jsonMessages() {
                do {
                    messages.append(try decoder.decode(Message.self, from: Data(raw.readableBytesView)))
                } catch {
                    throw DurableStreamError(
                        .json, "could not decode a message as \(Message.self): \(error) — message: \(String(buffer: raw).prefix(200))",
                        underlying: error
                    )
                }
            }
            return JSONBatch(messages: messages, offset: chunk.offset, upToDate: chunk.upToDate, closed: chunk.closed)
        }
    }
}
