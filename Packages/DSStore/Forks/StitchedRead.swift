import NIOCore

/// The read of a fork that starts in its inherited data, shared by every store: find the range holding the
/// start, then read forward through the ranges (ancestors', then the fork's own) until the byte budget is
/// spent or the tail is reached. Bytes below a fork offset never change, so reading one range at a time
/// gives the same result as one read under a single lock.
package enum StitchedRead {
    /// Reads `ranges` from `position` (`< tail`) up to `tail`, at most `maxBytes` (JSON: whole messages, at
    /// least one). `alignedStart` moves a start to where a read really begins (a message boundary for JSON);
    /// `readRange` reads one range from a position with a budget, at least one record when `needOne`.
    package static func read<Stream, E: Error>(
        _ ranges: [InheritedRange<Stream>],
        from position: UInt64,
        tail: UInt64,
        maxBytes: Int,
        alignedStart: (InheritedRange<Stream>, UInt64) throws(E) -> UInt64,
        readRange: (InheritedRange<Stream>, _ from: UInt64, _ budget: Int, _ needOne: Bool) throws(E) -> (chunks: [ByteBuffer], end: UInt64)
    ) throws(E) -> (start: UInt64, next: UInt64, chunks: [ByteBuffer]) {
        var index = ranges.firstIndex(holding: position)
        guard index < ranges.count else { return (position, position, []) }
        let start = try alignedStart(ranges[index], position)
        var cursor = start
        var budget = maxBytes
        var chunks: [ByteBuffer] = []
        while index < ranges.count, cursor < tail {
            let range = ranges[index]
            let part = try readRange(range, cursor, budget, chunks.isEmpty)
            chunks += part.chunks
            budget -= Int(part.end - cursor)
            cursor = part.end
            if cursor < range.end { break }  // the budget ran out inside this range
            index += 1
        }
        return (start, cursor, chunks)
    }
}
