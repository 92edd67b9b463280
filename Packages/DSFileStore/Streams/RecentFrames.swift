import NIOCore

/// The framed bytes of a stream's latest commits, kept in memory while readers wait on the stream.
///
/// Readers woken by a commit all read what it appended, at once. Served from the log, each of those reads
/// would take a trip to a reader thread and a `pread` of its own copy of the same bytes. Kept here, they are
/// answered on the caller's event loop with slices of one shared buffer, and each frame is parsed as the log
/// reader would parse it, so the answers are the same byte for byte.
///
/// Kept while readers use them: a commit keeps its frames when it finds readers waiting, or when the frames kept
/// before it were read since the previous commit (readers that are behind, catching up without waiting). At
/// most ``maximumBytes`` per stream and ``FileStoreOptions/recentFramesBytes`` over the store
/// (``RecentFramesBudget``). A commit that finds them unused drops them, and so does the last waiter leaving.
struct RecentFrames: Sendable {
    /// Most bytes of frames (headers included) kept for one stream.
    static let maximumBytes = 64 << 10

    /// Where the first kept frame starts, in the stream and in its log file.
    private(set) var origin: LogPosition
    /// Frames as written to the log, from ``origin`` to the log's committed end.
    private(set) var frames: ByteBuffer
    /// Whether a read was answered from them since the commit that kept them.
    var wasRead = false

    /// The file position after the last kept frame.
    var fileEnd: UInt64 { origin.file + UInt64(frames.readableBytes) }

    /// Bytes kept.
    var byteCount: Int { frames.readableBytes }

    /// What to keep after a commit appended `written` at `start` to a log whose frames from `kept` on were
    /// kept: the new frames joined to the kept ones when they follow them and both fit, the new frames
    /// alone when they fit, nothing otherwise.
    ///
    /// Consumes `kept`, so joining writes into its buffer in place when no reader holds a slice of it.
    static func after(_ kept: consuming RecentFrames?, appending written: ByteBuffer, at start: LogPosition) -> RecentFrames? {
        guard written.readableBytes <= maximumBytes else { return nil }
        switch consume kept {
        case .some(var joined) where joined.fileEnd == start.file && joined.byteCount + written.readableBytes <= maximumBytes:
            joined.frames.writeImmutableBuffer(written)
            joined.wasRead = false
            return joined
        default:
            return RecentFrames(origin: start, frames: written)
        }
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
