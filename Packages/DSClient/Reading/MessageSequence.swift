import Foundation

/// One decoded message of a JSON stream.
public struct StreamMessage<Value: Sendable>: Sendable {
    /// The message.
    public var value: Value
    /// Set on the last message of each server response: the offset to resume from once this message is
    /// processed. Messages inside a response have none, because offsets are opaque server tokens that only
    /// exist at response boundaries.
    public var resumeOffset: Offset?
}

/// The decoded messages of a JSON stream one by one; see ``DurableStream/messages(as:from:mode:decoder:)``.
public struct MessageSequence<Value: Decodable & Sendable>: AsyncSequence, Sendable {
    public typealias Element = StreamMessage<Value>
    public typealias Failure = DurableStreamError

    let batches: JSONBatchSequence<Value>

    /// Starts a new reader at the sequence's starting offset.
    public func makeAsyncIterator() -> Iterator {
        Iterator(batches: batches.makeAsyncIterator())
    }

    /// Reads message after message.
    public struct Iterator: AsyncIteratorProtocol {
        var batches: JSONBatchSequence<Value>.Iterator
        var pending: [Value] = []
        var pendingIndex = 0
        var pendingOffset: Offset?

        /// The offset after the last complete response read (see ``StreamMessage/resumeOffset``).
        public var offset: Offset { batches.offset }

        /// The next message, or `nil` at the end.
        public mutating func next() async throws(DurableStreamError) -> StreamMessage<Value>? {
            while pendingIndex == pending.count {
                guard let batch = try await batches.next() else { return nil }
                pending = batch.messages
                pendingIndex = 0
                pendingOffset = batch.offset
            }
            let value = pending[pendingIndex]
            pendingIndex += 1
            return StreamMessage(value: value, resumeOffset: pendingIndex == pending.count ? pendingOffset : nil)
        }
    }
}
