import NIOCore

/// Walks the frames of a log forward from a known frame start, reading the file in blocks and checking
/// every payload it returns against its checksum; or walks frames the store kept in memory as it wrote them
/// (``RecentFrames``), which never were on a disk to be damaged and are not checked again.
struct FrameScanner {
    /// A frame's place in the stream, and its payload when it was asked for.
    struct Frame {
        var start: UInt64
        var length: UInt64
        /// The same append continues in the next frame (so this frame does not end a record).
        var continued: Bool
        var payload: ByteBuffer?

        var end: UInt64 { start + length }
    }

    private let fd: Int32
    /// The committed end of the log; nothing beyond it is read.
    private let fileEnd: UInt64
    private let blockSize: Int
    private let allocator = ByteBufferAllocator()
    /// Whether payloads are checked against their checksums (frames read from the file are).
    private let verifiesPayloads: Bool
    /// The next frame's start.
    private(set) var position: LogPosition
    private var block = ByteBuffer()
    private var blockStart: UInt64 = 0

    init(fd: Int32, from position: LogPosition, fileEnd: UInt64, blockSize: Int) {
        self.fd = fd
        self.position = position
        self.fileEnd = fileEnd
        self.blockSize = max(blockSize, 4096)
        self.verifiesPayloads = true
    }

    /// A scanner over `frames`, the log's bytes from file position `frameFileStart` to its committed end, held
    /// in memory: it starts at `position` and reads no file.
    init(frames: ByteBuffer, at frameFileStart: UInt64, from position: LogPosition) {
        self.fd = -1
        self.position = position
        self.fileEnd = frameFileStart + UInt64(frames.readableBytes)
        self.blockSize = frames.readableBytes
        self.verifiesPayloads = false
        self.block = frames
        self.blockStart = frameFileStart
    }

    /// The next frame, or `nil` at the committed end. `wantsPayload` sees the frame's stream start and length.
    mutating func next(wantsPayload: (UInt64, UInt64) -> Bool) throws(FileStoreFailure) -> Frame? {
        guard position.file < fileEnd else { return nil }
        var header = try bytes(at: position.file, count: Int(LogGeometry.frameHeaderSize))
        let word = header.readInteger(endianness: .little, as: UInt32.self)!
        let length = word & ~LogFrame.continuedFlag
        let checksum = header.readInteger(endianness: .little, as: UInt32.self)!
        let payloadStart = position.file + LogGeometry.frameHeaderSize
        guard payloadStart + UInt64(length) <= fileEnd else {
            throw .corrupt("a frame at byte \(position.file) runs past the log's committed end")
        }
        var frame = Frame(start: position.stream, length: UInt64(length), continued: word & LogFrame.continuedFlag != 0, payload: nil)
        if wantsPayload(frame.start, frame.length) {
            let payload = try bytes(at: payloadStart, count: Int(length))
            let actual = verifiesPayloads ? payload.withUnsafeReadableBytes { LogFrame.checksumOf(length: word, payload: $0) } : checksum
            guard actual == checksum else {
                throw .corrupt("checksum mismatch in the frame at stream offset \(position.stream)")
            }
            frame.payload = payload
        }
        position = LogPosition(stream: frame.end, file: payloadStart + UInt64(length))
        return frame
    }

    /// `count` bytes of the file at `offset`, from the current block or a fresh read.
    private mutating func bytes(at offset: UInt64, count: Int) throws(FileStoreFailure) -> ByteBuffer {
        if offset >= blockStart, offset + UInt64(count) <= blockStart + UInt64(block.readableBytes) {
            return block.getSlice(at: block.readerIndex + Int(offset - blockStart), length: count)!
        }
        guard fd >= 0 else { throw .corrupt("a frame in memory runs past the frames kept (byte \(offset))") }
        let size = Int(min(UInt64(max(count, blockSize)), fileEnd - offset))
        var fresh = allocator.buffer(capacity: size)
        let fd = self.fd
        var outcome: Result<Int, FileStoreFailure> = .success(0)
        fresh.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { raw in
            outcome = Result { () throws(FileStoreFailure) in
                try SystemCall.read(fd, into: UnsafeMutableRawBufferPointer(rebasing: raw[0..<size]), at: offset)
            }
            return (try? outcome.get()) ?? 0
        }
        let read = try outcome.get()
        guard read >= count else {
            throw .corrupt("the log is shorter than its committed length (\(offset + UInt64(read)) < \(offset + UInt64(count)))")
        }
        block = fresh
        blockStart = offset
        return block.getSlice(at: block.readerIndex, length: count)!
    }
}
