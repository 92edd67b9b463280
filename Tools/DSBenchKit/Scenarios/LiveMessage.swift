import NIOCore

/// The fixed-size text messages of the live scenarios: `S<10-digit seq>T<20-digit send time ns>` padded with
/// dots. Readers recover each message's send time from the bytes they receive, so delivery latency needs no
/// shared table, and several messages delivered together are split by size.
enum LiveMessage {
    static let size = 100

    static func make(seq: Int, sentAt: UInt64) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(size)
        buffer.writeInteger(UInt8(ascii: "S"))
        writeDigits(UInt64(seq), width: 10, into: &buffer)
        buffer.writeInteger(UInt8(ascii: "T"))
        writeDigits(sentAt, width: 20, into: &buffer)
        buffer.writeRepeatingByte(UInt8(ascii: "."), count: size - buffer.readableBytes)
        return buffer
    }

    /// Calls `body(seq, sentAt)` for each whole message in `bytes`; returns the number of malformed ones.
    @discardableResult
    static func parse(_ bytes: ByteBufferView, _ body: (Int, UInt64) -> Void) -> Int {
        var malformed = 0
        var start = bytes.startIndex
        while bytes.endIndex - start >= size {
            if bytes[start] == UInt8(ascii: "S"), bytes[start + 11] == UInt8(ascii: "T"),
                let seq = digits(bytes, from: start + 1, count: 10), let sentAt = digits(bytes, from: start + 12, count: 20)
            {
                body(Int(seq), sentAt)
            } else {
                malformed += 1
            }
            start += size
        }
        if start != bytes.endIndex { malformed += 1 }
        return malformed
    }

    private static func writeDigits(_ value: UInt64, width: Int, into buffer: inout ByteBuffer) {
        var digits = [UInt8](repeating: UInt8(ascii: "0"), count: width)
        var rest = value
        var index = width - 1
        while rest > 0 && index >= 0 {
            digits[index] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
            index -= 1
        }
        buffer.writeBytes(digits)
    }

    private static func digits(_ bytes: ByteBufferView, from start: Int, count: Int) -> UInt64? {
        var value: UInt64 = 0
        for index in start..<(start + count) {
            let byte = bytes[index]
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value &* 10 &+ UInt64(byte - UInt8(ascii: "0"))
        }
        return value
    }
}
