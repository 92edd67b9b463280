import DSProtocol
import NIOCore
import Synchronization

/// One stream of the in-memory store: its data and state behind its own lock.
///
/// A fork shares its source's offset space: its own bytes start at ``base`` (the fork offset) and every
/// position below that is read from the ancestor listed in ``ancestry``. Both are fixed at creation, so
/// resolving a position needs no lock; only reading an ancestor's bytes takes that ancestor's lock.
final class MemoryStream: Sendable {
    let path: String
    let id: UInt64
    /// Where this stream's own data starts: `0`, or the fork offset for a fork.
    let base: UInt64
    /// For a fork: the stream it was forked from (it holds one reference count for this fork) and how.
    let origin: ForkOrigin?
    /// The ancestors' data this stream shows below ``base``, in offset order, contiguous from `0`.
    let ancestry: [InheritedRange<MemoryStream>]
    let state: Mutex<State>

    init(path: String, id: UInt64, base: UInt64 = 0, origin: ForkOrigin? = nil, ancestry: [InheritedRange<MemoryStream>] = [], state: consuming State) {
        self.path = path
        self.id = id
        self.base = base
        self.origin = origin
        self.ancestry = ancestry
        self.state = Mutex(state)
    }

    /// The stream's metadata; call with its lock held.
    func info(_ state: borrowing State) -> StreamInfo {
        StreamInfo(
            path: path,
            id: id,
            contentType: state.contentType,
            tail: StreamOffset(position: state.tail),
            closed: state.closed,
            expiry: state.expiry,
            expiresAt: state.expiry.deadline(lastAccess: state.lastAccess),
            createdAt: state.createdAt,
            fork: origin?.spec,
            expiryInherited: state.expiryInherited
        )
    }

    /// Where a stream stands in its life.
    enum Lifecycle: Sendable, Equatable {
        /// Readable and writable at its path.
        case live
        /// Deleted (or expired) while forks still read its data: `410 Gone` at its path, which stays blocked.
        case softDeleted
        /// Gone: the object lingers only while forks' ancestries or in-flight requests hold it.
        case removed
    }

    struct State: ~Copyable {
        let base: UInt64
        var contentType: StreamContentType
        var expiry: StreamExpiry
        /// True when a fork took its expiry from its source rather than from its own request.
        var expiryInherited = false
        var lastAccess: StoreTimestamp
        var createdAt: StoreTimestamp
        var closed = false
        /// The producer request that closed the stream, so its retry is answered as a duplicate.
        var closedBy: ProducerStamp?
        /// Own bytes; position `base + i` is byte `i`.
        var data = SegmentedBytes()
        /// Absolute end position of every record: every message for JSON streams (whole-message reads),
        /// every append for other streams (the data boundaries that bound a fork sub-offset).
        var recordEnds: [UInt64] = []
        var writer = WriterState()
        var waiters = WaiterList()
        var lifecycle = Lifecycle.live
        /// Number of forks created from this stream and not yet collected.
        var forkCount = 0

        init(base: UInt64 = 0, contentType: StreamContentType, expiry: StreamExpiry, now: StoreTimestamp) {
            self.base = base
            self.contentType = contentType
            self.expiry = expiry
            self.lastAccess = now
            self.createdAt = now
        }

        var tail: UInt64 { base + data.count }

        var isLive: Bool { lifecycle == .live }

        func isExpired(at now: StoreTimestamp) -> Bool { expiry.hasExpired(lastAccess: lastAccess, now: now) }

        /// Slides a TTL window; a no-op for other expiry rules.
        mutating func touch(_ now: StoreTimestamp) {
            if expiry.slides && now > lastAccess { lastAccess = now }
        }

        /// Deletes the stream: soft while forks use its data, for good otherwise. Returns the waiters to wake.
        mutating func markDeleted() -> [any StreamWaiter] {
            lifecycle = forkCount > 0 ? .softDeleted : .removed
            return waiters.takeAll()
        }

        /// Stores already-framed bytes (JSON streams: messages each followed by `,`) as one append.
        /// `messageEnds` are the ends the framing pass found (relative to `bytes`); without them JSON is rescanned.
        mutating func store(_ bytes: ByteBuffer, messageEnds: [Int]? = nil) {
            guard bytes.readableBytes > 0 else { return }
            let start = tail
            if contentType.isJSON {
                for end in messageEnds ?? JSONStreamFraming.messageEnds(in: bytes) { recordEnds.append(start + UInt64(end)) }
            } else {
                recordEnds.append(start + UInt64(bytes.readableBytes))
            }
            data.append(bytes)
        }
    }
}

/// How a fork came to be: its source holds one reference count for it until the fork is collected.
struct ForkOrigin: Sendable {
    let source: MemoryStream
    let spec: ForkSpec
}
