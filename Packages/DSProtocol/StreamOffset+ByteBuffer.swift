import NIOCore

extension StreamOffset {
    /// Writes the wire form (``encodedLength`` bytes) into `buffer`, without making a `String` first.
    ///
    /// Every append response and every SSE control event carries an offset, so this is on the hot path.
    public func write(into buffer: inout ByteBuffer) {
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: Self.encodedLength) { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            Self.writeDigits(segment, into: bytes, at: 0)
            bytes[16] = UInt8(ascii: "_")
            Self.writeDigits(position, into: bytes, at: 17)
            return Self.encodedLength
        }
    }
}
