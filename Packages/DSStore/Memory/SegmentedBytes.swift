import NIOCore

/// An append-only byte sequence kept as a list of bounded segments.
///
/// Readers receive `ByteBuffer` slices that share storage with the segments, so any number of readers
/// can hold the same bytes without copies. Appends write into the last segment; if a reader still holds
/// a slice of it, `ByteBuffer` copy-on-write copies at most one segment, never the whole stream.
struct SegmentedBytes {
    /// Most bytes one segment grows to before a new one is started (larger single appends get their own).
    static let segmentCapacity = 32 * 1024

    private(set) var segments: [ByteBuffer] = []
    /// Absolute start position of each segment.
    private var starts: [UInt64] = []
    /// Total bytes stored.
    private(set) var count: UInt64 = 0

    /// Appends `bytes`.
    mutating func append(_ bytes: ByteBuffer) {
        let size = bytes.readableBytes
        guard size > 0 else { return }
        if var last = segments.last, last.readableBytes + size <= Self.segmentCapacity {
            segments[segments.count - 1] = ByteBuffer()  // drop our reference so the write can be in place
            last.writeImmutableBuffer(bytes)
            segments[segments.count - 1] = last
        } else {
            var segment = ByteBufferAllocator().buffer(capacity: max(size, 256))
            segment.writeImmutableBuffer(bytes)
            segments.append(segment)
            starts.append(count)
        }
        count += UInt64(size)
    }

    /// Slices covering `[from, to)`; shares storage with the segments.
    func slices(from: UInt64, to: UInt64) -> [ByteBuffer] {
        precondition(from <= to && to <= count, "range outside the stored bytes")
        guard from < to else { return [] }
        var index = segmentIndex(containing: from)
        var position = from
        var result: [ByteBuffer] = []
        while position < to {
            let segment = segments[index]
            let segmentStart = starts[index]
            let offsetInSegment = Int(position - segmentStart)
            let length = Int(min(to, segmentStart + UInt64(segment.readableBytes)) - position)
            result.append(segment.getSlice(at: segment.readerIndex + offsetInSegment, length: length)!)
            position += UInt64(length)
            index += 1
        }
        return result
    }

    private func segmentIndex(containing position: UInt64) -> Int {
        var low = 0
        var high = starts.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if starts[mid] <= position { low = mid } else { high = mid - 1 }
        }
        return low
    }
}
