import NIOCore

extension StreamETag {
    /// Writes the same quoted entity tag as ``make(streamID:start:end:closed:)`` into `buffer`, without making a
    /// `String` (every catch-up and long-poll answer carries one).
    public static func write(streamID: UInt64, start: StreamOffset, end: StreamOffset, closed: Bool, into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(ascii: "\""))
        var digits: (UInt64, Int) = (1, 1)
        while digits.0 <= streamID / 10 { digits = (digits.0 * 10, digits.1 + 1) }
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: digits.1) { raw in
            var rest = streamID
            var divisor = digits.0
            var index = 0
            while divisor > 0 {
                raw[index] = UInt8(ascii: "0") + UInt8(rest / divisor)
                rest %= divisor
                divisor /= 10
                index += 1
            }
            return digits.1
        }
        buffer.writeInteger(UInt8(ascii: ":"))
        start.write(into: &buffer)
        buffer.writeInteger(UInt8(ascii: ":"))
        end.write(into: &buffer)
        if closed { buffer.writeStaticString(":c") }
        buffer.writeInteger(UInt8(ascii: "\""))
    }
}
