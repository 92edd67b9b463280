import NIOCore

extension StreamOffset {
    /// Writes the wire form (``encodedLength`` bytes) into `buffer`, without making a `String` first.
    ///
    /// Every append response and every SSE control event carries an offset, so this is on the hot path.
    public func write(into buffer: inout ByteBuffer) {
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: Self.encodedLength) { raw in
            write(to: raw)
        }
    }

    /// Writes the wire form into the first ``encodedLength`` bytes of `bytes` (which must have room for them) and
    /// returns that length.
    @discardableResult
    public func write(to bytes: UnsafeMutableRawBufferPointer) -> Int {
        precondition(bytes.count >= Self.encodedLength, "no room for an offset")
        let digits = bytes.bindMemory(to: UInt8.self)
        Self.writeDigits(segment, into: digits, at: 0)
        digits[16] = UInt8(ascii: "_")
        Self.writeDigits(position, into: digits, at: 17)
        return Self.encodedLength
    }
}
