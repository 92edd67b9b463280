/// A pair of positions: in the stream (what offsets count) and in its log file (where the frame begins).
struct LogPosition: Sendable, Hashable {
    /// Byte position in the stream's stored representation.
    var stream: UInt64
    /// Byte position in the log file.
    var file: UInt64
}

/// Where a stream's log ends and how stream positions map to file positions.
///
/// A log is a 16-byte file header followed by frames (8-byte header + payload), so a file position is
/// the stream position plus the header bytes before it. The log is cut into *windows* of at most
/// ``windowBytes`` of file or ``windowMaxFrames`` frames; the first frame of every window is a
/// checkpoint persisted in LMDB. Inside the current window the store keeps each frame's stream start,
/// which is enough to compute its file position: `window.file + (start - window.stream) + index * 8`.
/// A read therefore seeks straight to its frame in the current window, or looks up the checkpoint at or
/// before its offset and walks at most one window of frame headers.
///
/// A fork's log holds only its own data, which starts at its fork offset (``base``): its first frame begins
/// at that stream position, right after the file header.
struct LogGeometry: Sendable, Hashable {
    /// Bytes before the first frame: magic and the stream id.
    static let fileHeaderSize: UInt64 = 16
    /// Bytes before each frame's payload: length and checksum.
    static let frameHeaderSize: UInt64 = 8
    /// A new window (and checkpoint) starts once a window spans this many bytes of file...
    static let windowBytes: UInt64 = 64 * 1024
    /// ...or holds this many frames.
    static let windowMaxFrames: UInt32 = 64

    /// Where the stream's own data starts: `0`, or a fork's fork offset. Fixed at creation.
    let base: UInt64
    /// The stream's tail.
    var streamEnd: UInt64
    /// The end of the last frame in the log file.
    var fileEnd: UInt64 = LogGeometry.fileHeaderSize
    /// The first frame of the current window.
    var window: LogPosition
    /// Frames in the current window.
    var windowFrameCount: UInt32 = 0
    /// The stream start of each frame in the current window; `nil` when unknown (after a restart, until the window rolls).
    var windowStarts: [UInt64]? = []

    /// An empty log whose data starts at stream position `base`.
    init(base: UInt64 = 0) {
        self.base = base
        streamEnd = base
        window = LogPosition(stream: base, file: Self.fileHeaderSize)
    }

    /// The first frame's position: where a walk through the whole log starts.
    var origin: LogPosition { LogPosition(stream: base, file: Self.fileHeaderSize) }

    /// Whether any frame was ever written (an empty stream has no log file).
    var hasFrames: Bool { fileEnd > Self.fileHeaderSize }

    /// The position a new frame starts at.
    var end: LogPosition { LogPosition(stream: streamEnd, file: fileEnd) }

    /// Accounts for a frame of `length` payload bytes written at ``end``.
    ///
    /// - Returns: the checkpoint to persist when this frame opens a new window.
    mutating func addFrame(length: UInt64) -> LogPosition? {
        let start = end
        var opened: LogPosition?
        if windowFrameCount > 0 && (start.file - window.file >= Self.windowBytes || windowFrameCount >= Self.windowMaxFrames) {
            window = start
            windowFrameCount = 0
            windowStarts = []
            opened = start
        }
        windowStarts?.append(start.stream)
        windowFrameCount += 1
        streamEnd += length
        fileEnd += Self.frameHeaderSize + length
        return opened
    }

    /// The start of the frame holding `position`, when `position` lies in the current window and its frames are known.
    func frameStart(containing position: UInt64) -> LogPosition? {
        guard position >= window.stream, let starts = windowStarts, !starts.isEmpty else { return nil }
        var low = 0
        var high = starts.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if starts[mid] <= position { low = mid } else { high = mid - 1 }
        }
        let offsetInWindow = starts[low] - window.stream
        return LogPosition(stream: starts[low], file: window.file + offsetInWindow + UInt64(low) * Self.frameHeaderSize)
    }
}
