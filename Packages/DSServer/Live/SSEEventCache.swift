import NIOCore
import Synchronization

/// Encoded SSE events shared by every reader that wakes for the same range of the same stream, so a fan-out to
/// thousands of SSE readers encodes (and copies) the appended bytes once, not once per reader.
///
/// An entry is either a range's `data` event alone, or that event followed by its `control` event when the
/// control event is the same for every reader at that moment (``Key/control``): each reader's delivery is then
/// one shared buffer.
///
/// Bounded in entries and bytes; large events are not cached (readers of those are few and catching up).
final class SSEEventCache: Sendable {
    struct Key: Hashable, Sendable {
        var streamID: UInt64
        var start: UInt64
        var end: UInt64
        /// The control event that follows the data event in the entry, if any.
        var control: Control?
    }

    /// What a control event says besides the offset (which is the key's `end`).
    struct Control: Hashable, Sendable {
        var cursor: String?
        var upToDate: Bool
        var closed: Bool
    }

    private struct Entries {
        var events: [Key: ByteBuffer] = [:]
        var order: [Key] = []
        var bytes = 0
    }

    private let entries = Mutex(Entries())
    private let maxEntries: Int
    private let maxEventBytes: Int
    private let maxTotalBytes: Int

    init(maxEntries: Int = 256, maxEventBytes: Int = 256 * 1024, maxTotalBytes: Int = 8 * 1024 * 1024) {
        self.maxEntries = maxEntries
        self.maxEventBytes = maxEventBytes
        self.maxTotalBytes = maxTotalBytes
    }

    /// The cached event for `key`, or the one `encode` makes (cached when small enough).
    func event(for key: Key, encode: () -> ByteBuffer) -> ByteBuffer {
        if let hit = entries.withLock({ $0.events[key] }) { return hit }
        let event = encode()
        guard event.readableBytes <= maxEventBytes else { return event }
        entries.withLock { entries in
            guard entries.events[key] == nil else { return }
            entries.events[key] = event
            entries.order.append(key)
            entries.bytes += event.readableBytes
            while entries.order.count > maxEntries || entries.bytes > maxTotalBytes {
                let evicted = entries.order.removeFirst()
                if let removed = entries.events.removeValue(forKey: evicted) { entries.bytes -= removed.readableBytes }
            }
        }
        return event
    }
}
