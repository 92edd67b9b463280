import DSProtocol
import NIOCore
import Synchronization

/// One stream of the in-memory store: its data and state behind its own lock.
final class MemoryStream: StreamTableEntry {
    let path: String
    let id: UInt64
    let state: Mutex<State>

    init(path: String, id: UInt64, state: consuming State) {
        self.path = path
        self.id = id
        self.state = Mutex(state)
    }

    struct State: ~Copyable {
        var contentType: StreamContentType
        var expiry: StreamExpiry
        var lastAccess: StoreTimestamp
        var createdAt: StoreTimestamp
        var closed = false
        /// The producer request that closed the stream, so its retry is answered as a duplicate.
        var closedBy: ProducerStamp?
        var data = SegmentedBytes()
        /// For JSON streams: absolute end position of every message, for whole-message reads.
        var messageEnds: [UInt64] = []
        var writer = WriterState()
        var waiters = WaiterList()
        /// Set once the stream is deleted or expired; every later operation on this object fails.
        var removed = false

        init(contentType: StreamContentType, expiry: StreamExpiry, now: StoreTimestamp) {
            self.contentType = contentType
            self.expiry = expiry
            self.lastAccess = now
            self.createdAt = now
        }

        var tail: StreamOffset { StreamOffset(position: data.count) }

        func isExpired(at now: StoreTimestamp) -> Bool { expiry.hasExpired(lastAccess: lastAccess, now: now) }

        /// Slides a TTL window; a no-op for other expiry rules.
        mutating func touch(_ now: StoreTimestamp) {
            if expiry.slides && now > lastAccess { lastAccess = now }
        }

        func info(path: String, id: UInt64) -> StreamInfo {
            StreamInfo(
                path: path,
                id: id,
                contentType: contentType,
                tail: tail,
                closed: closed,
                expiry: expiry,
                expiresAt: expiry.deadline(lastAccess: lastAccess),
                createdAt: createdAt
            )
        }

        /// Stores already-framed bytes (JSON streams: messages each followed by `,`).
        mutating func store(_ bytes: ByteBuffer) {
            if contentType.isJSON {
                let base = data.count
                for end in JSONStreamFraming.messageEnds(in: bytes) { messageEnds.append(base + UInt64(end)) }
            }
            data.append(bytes)
        }

        /// The end of a read starting at `start` that returns at most `maxBytes` (JSON: whole messages, at least one).
        func readEnd(from start: UInt64, maxBytes: Int) -> UInt64 {
            let limit = start &+ UInt64(max(maxBytes, 1))
            guard contentType.isJSON else { return min(data.count, limit) }
            let first = messageEnds.firstIndex(after: start)
            guard first < messageEnds.count else { return data.count }
            let last = messageEnds.firstIndex(after: limit) - 1
            return messageEnds[max(first, last)]
        }

        /// Where a read that asks for `position` really starts: JSON reads begin on a message boundary.
        func alignedStart(_ position: UInt64) -> UInt64 {
            guard contentType.isJSON, position > 0, position < data.count else { return position }
            let index = messageEnds.firstIndex(after: position - 1)
            return index < messageEnds.count ? messageEnds[index] : data.count
        }
    }
}

extension Array where Element == UInt64 {
    /// Index of the first element greater than `value` in this sorted array (`count` if none).
    func firstIndex(after value: UInt64) -> Int {
        var low = 0
        var high = count
        while low < high {
            let mid = (low + high) / 2
            if self[mid] <= value { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
