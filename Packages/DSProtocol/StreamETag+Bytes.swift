extension StreamETag {
    /// The most bytes ``write(streamID:start:end:closed:to:)`` writes.
    public static let maxEncodedLength = 2 + 20 + 2 + 2 * StreamOffset.encodedLength + 2

    /// Writes the same quoted entity tag as ``make(streamID:start:end:closed:)`` into `bytes` (which must have room
    /// for ``maxEncodedLength`` bytes), without making a `String`, and returns its length. Every catch-up and
    /// long-poll answer carries one.
    @discardableResult
    public static func write(streamID: UInt64, start: StreamOffset, end: StreamOffset, closed: Bool, to bytes: UnsafeMutableRawBufferPointer) -> Int {
        precondition(bytes.count >= maxEncodedLength, "no room for an entity tag")
        var index = 0
        bytes[index] = UInt8(ascii: "\"")
        index += 1
        var divisor: UInt64 = 1
        while divisor <= streamID / 10 { divisor *= 10 }
        var rest = streamID
        while divisor > 0 {
            bytes[index] = UInt8(ascii: "0") + UInt8(rest / divisor)
            rest %= divisor
            divisor /= 10
            index += 1
        }
        bytes[index] = UInt8(ascii: ":")
        index += 1
        index += start.write(to: UnsafeMutableRawBufferPointer(rebasing: bytes[index...]))
        bytes[index] = UInt8(ascii: ":")
        index += 1
        index += end.write(to: UnsafeMutableRawBufferPointer(rebasing: bytes[index...]))
        if closed {
            bytes[index] = UInt8(ascii: ":")
            bytes[index + 1] = UInt8(ascii: "c")
            index += 2
        }
        bytes[index] = UInt8(ascii: "\"")
        return index + 1
    }
}
