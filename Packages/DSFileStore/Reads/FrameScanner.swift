import NIOCore

/// Walks the frames of a log forward from a known frame start, reading the file in blocks and checking
/// every payload it returns against its checksum.
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
    /// The next frame's start.
    private(set) var position: LogPosition
    private var block = ByteBuffer()
    private var blockStart: UInt64 = 0

    init(fd: Int32, from position: LogPosition, fileEnd: UInt64, blockSize: Int) {
        self.fd = fd
        self.position = position
        self.fileEnd = fileEnd
        self.blockSize = max(blockSize, 4096)
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
            let actual = payload.withUnsafeReadableBytes { LogFrame.checksumOf(length: word, payload: $0) }
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
