import NIOCore

/// Reading a stream's own data by position, under its lock. Positions are absolute (in the shared offset
/// space of a fork chain); `limit` bounds what a reader may see (a descendant's fork offset, or the tail
/// the read snapshotted), and every such limit is a record boundary.
extension MemoryStream.State {
    /// Reads from `start` (`base ≤ start ≤ limit ≤ tail`) at most `budget` bytes; JSON streams return whole
    /// messages, and `needOne` asks for one message (or byte) even when it exceeds the budget.
    func read(from start: UInt64, limit: UInt64, budget: Int, needOne: Bool) -> (chunks: [ByteBuffer], end: UInt64) {
        guard start < limit else { return ([], start) }
        let end: UInt64
        if contentType.isJSON {
            let first = recordEnds.firstIndex(after: start)
            guard first < recordEnds.count, recordEnds[first] <= limit else { return ([], start) }
            let last = recordEnds.firstIndex(after: min(limit, start &+ UInt64(max(budget, 0)))) - 1
            if last >= first {
                end = recordEnds[last]
            } else {
                guard needOne else { return ([], start) }
                end = recordEnds[first]
            }
        } else {
            end = min(limit, start &+ UInt64(max(budget, needOne ? 1 : 0)))
        }
        return (data.slices(from: start - base, to: end - base), end)
    }

    /// Where a read that asks for `position` really starts: JSON reads begin on a message boundary.
    func alignedStart(_ position: UInt64, limit: UInt64) -> UInt64 {
        guard contentType.isJSON, position > base, position < limit else { return position }
        let index = recordEnds.firstIndex(after: position - 1)
        return index < recordEnds.count ? min(recordEnds[index], limit) : limit
    }

    /// Whether `position` starts a record: the stream's base or the end of a message or append.
    func isRecordBoundary(_ position: UInt64) -> Bool {
        if position == base { return true }
        let index = recordEnds.firstIndex(after: position - 1)
        return index < recordEnds.count && recordEnds[index] == position
    }

    /// The end of the record containing `position` (the next data boundary), at most `limit`.
    func recordEnd(containing position: UInt64, limit: UInt64) -> UInt64 {
        let index = recordEnds.firstIndex(after: position)
        return index < recordEnds.count ? min(recordEnds[index], limit) : limit
    }

    /// The position after `count` more records from `position` (a record boundary), stopping at `limit`;
    /// returns it and how many records were passed.
    func position(after count: UInt64, recordsFrom position: UInt64, limit: UInt64) -> (end: UInt64, passed: UInt64) {
        let first = recordEnds.firstIndex(after: position)
        let available = UInt64(recordEnds.firstIndex(after: limit) - first)
        guard count > 0 else { return (position, 0) }
        if count <= available { return (recordEnds[first + Int(count) - 1], count) }
        return (limit, available)
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
