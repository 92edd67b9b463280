/// A stretch `[start, end)` of a fork chain's offset space whose bytes live in `stream`'s own data.
///
/// Every store describes what a stream shows as a list of these, contiguous from `0` and in offset order:
/// the ranges it inherits from its ancestors (fixed when the fork is created), then its own bytes.
package struct InheritedRange<Stream: Sendable>: Sendable {
    package let stream: Stream
    package let start: UInt64
    package let end: UInt64

    package init(stream: Stream, start: UInt64, end: UInt64) {
        self.stream = stream
        self.start = start
        self.end = end
    }
}

extension Array {
    /// What a reader of a stream sees: the ranges it inherits, then its own bytes `[base, tail)` when there are any.
    package static func readable<Stream>(ancestry: [InheritedRange<Stream>], stream: Stream, base: UInt64, tail: UInt64) -> [InheritedRange<Stream>]
    where Element == InheritedRange<Stream> {
        guard tail > base else { return ancestry }
        return ancestry + [InheritedRange(stream: stream, start: base, end: tail)]
    }

    /// The ranges below `position`, the last one cut there: what a fork at `position` inherits.
    package func cut<Stream>(at position: UInt64) -> [InheritedRange<Stream>] where Element == InheritedRange<Stream> {
        compactMap { range in
            range.start < position ? InheritedRange(stream: range.stream, start: range.start, end: Swift.min(range.end, position)) : nil
        }
    }

    /// Index of the range containing `position` (ranges are contiguous and sorted); `count` past the last.
    package func firstIndex<Stream>(holding position: UInt64) -> Int where Element == InheritedRange<Stream> {
        var low = 0
        var high = count
        while low < high {
            let mid = (low + high) / 2
            if self[mid].end <= position { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
