import NIOCore

/// The framed bytes of a stream's latest commits, kept in memory while readers wait on the stream.
///
/// Readers woken by a commit all read what it appended, at once. Served from the log, each of those reads
/// would take a trip to a reader thread and a `pread` of its own copy of the same bytes. Kept here, they are
/// answered on the caller's event loop with slices of one shared buffer, and each frame is parsed as the log
/// reader would parse it, so the answers are the same byte for byte.
///
/// Kept only for streams that had waiters when a commit appended to them, and at most ``maximumBytes``: the
/// next commit without waiters drops it, so idle streams hold nothing.
struct RecentFrames: Sendable {
    /// Most bytes of frames (headers included) kept for one stream.
    static let maximumBytes = 64 << 10

    /// Where the first kept frame starts, in the stream and in its log file.
    private(set) var origin: LogPosition
    /// Frames as written to the log, from ``origin`` to the log's committed end.
    private(set) var frames: ByteBuffer

    /// The file position after the last kept frame.
    var fileEnd: UInt64 { origin.file + UInt64(frames.readableBytes) }

    /// What to keep after a commit appended `written` at `start` to a log whose frames from `kept` on were
    /// kept: the new frames joined to the kept ones when they follow them and both fit, the new frames
    /// alone when they fit, nothing otherwise.
    static func after(_ kept: RecentFrames?, appending written: ByteBuffer, at start: LogPosition) -> RecentFrames? {
        guard written.readableBytes <= maximumBytes else { return nil }
        if var joined = kept, joined.fileEnd == start.file, joined.frames.readableBytes + written.readableBytes <= maximumBytes {
            joined.frames.writeImmutableBuffer(written)
            return joined
        }
        return RecentFrames(origin: start, frames: written)
    }

    /// Whether a read from stream position `position` finds every frame it needs here.
    func covers(_ position: UInt64) -> Bool { position >= origin.stream }

    /// A scanner over the kept frames, positioned on the frame holding `position` (or the first frame kept
    /// when `frameStart`, the log's own index of the frame, is unknown or older than what is kept).
    func scanner(from frameStart: LogPosition?) -> FrameScanner {
        let start = frameStart.flatMap { $0.file >= origin.file ? $0 : nil } ?? origin
        return FrameScanner(frames: frames, at: origin.file, from: start)
    }
}
