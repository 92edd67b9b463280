import DSProtocol
import NIOCore

/// A response head being written straight into room reserved in a `ByteBuffer` up front.
///
/// A head is ~25 short pieces (names, separators, values, line ends). Written one `ByteBuffer` call each, every
/// piece paid a capacity check, an exclusivity check and an index update: about a twentieth of a long-poll
/// delivery's CPU. The writer works out a bound on the head's size, reserves it once
/// (``ByteBuffer/writeHead(maximumBytes:_:)``), and the pieces are copied in through a pointer. Every append checks
/// the bound, so a wrong estimate stops the process instead of writing past the reserved room.
struct HeadBytes: ~Copyable {
    private let bytes: UnsafeMutableRawBufferPointer
    private(set) var count = 0

    fileprivate init(_ bytes: UnsafeMutableRawBufferPointer) { self.bytes = bytes }

    /// The room left, for writers that fill it themselves (they return how much they wrote).
    private var rest: UnsafeMutableRawBufferPointer { UnsafeMutableRawBufferPointer(rebasing: bytes[count...]) }

    private mutating func reserve(_ length: Int) -> UnsafeMutableRawPointer {
        precondition(count + length <= bytes.count, "response head larger than its reserved room")
        defer { count += length }
        return bytes.baseAddress! + count
    }

    mutating func append(_ text: StaticString) {
        reserve(text.utf8CodeUnitCount).copyMemory(from: text.utf8Start, byteCount: text.utf8CodeUnitCount)
    }

    mutating func append(_ text: String) {
        // Borrowed in place (no copy of the string, so no retain) whenever it is stored contiguously, as ours are.
        let copied: Void? = text.utf8.withContiguousStorageIfAvailable { utf8 in
            guard let base = utf8.baseAddress else { return }
            reserve(utf8.count).copyMemory(from: base, byteCount: utf8.count)
        }
        if copied == nil {
            var text = text
            text.withUTF8 { utf8 in
                guard let base = utf8.baseAddress else { return }
                reserve(utf8.count).copyMemory(from: base, byteCount: utf8.count)
            }
        }
    }

    mutating func append(_ buffer: ByteBuffer) {
        buffer.withUnsafeReadableBytes { readable in
            guard let base = readable.baseAddress else { return }
            reserve(readable.count).copyMemory(from: base, byteCount: readable.count)
        }
    }

    mutating func append(byte: UInt8) {
        reserve(1).storeBytes(of: byte, as: UInt8.self)
    }

    /// `name: value` and a line end.
    mutating func appendHeader(_ name: String, _ value: String) {
        append(name)
        append(": ")
        append(value)
        append("\r\n")
    }

    /// `name: <offset>` and a line end.
    mutating func appendHeader(_ name: String, _ offset: StreamOffset) {
        append(name)
        append(": ")
        append(offset)
        append("\r\n")
    }

    /// `name: <decimal>` and a line end.
    mutating func appendHeader(_ name: String, decimal value: some BinaryInteger) {
        append(name)
        append(": ")
        appendDecimal(value)
        append("\r\n")
    }

    /// `name: true` and a line end (the protocol's flags).
    mutating func appendFlag(_ name: String) {
        append(name)
        append(": true\r\n")
    }

    /// A non-negative integer in decimal.
    mutating func appendDecimal<Value: BinaryInteger>(_ value: Value) {
        precondition(value >= 0)
        var divisor: Value = 1
        while divisor <= value / 10 { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            append(byte: UInt8(ascii: "0") + UInt8(rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }

    /// An unsigned integer in lowercase hexadecimal.
    mutating func appendHexadecimal(_ value: UInt64) {
        var shift = 0
        while shift < 60 && value >> (shift + 4) > 0 { shift += 4 }
        while shift >= 0 {
            let digit = UInt8((value >> shift) & 0xF)
            append(byte: digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "a") + digit - 10)
            shift -= 4
        }
    }

    mutating func append(_ offset: StreamOffset) {
        precondition(count + StreamOffset.encodedLength <= bytes.count, "response head larger than its reserved room")
        count += offset.write(to: rest)
    }

    mutating func appendEntityTag(streamID: UInt64, start: StreamOffset, end: StreamOffset, closed: Bool) {
        precondition(count + StreamETag.maxEncodedLength <= bytes.count, "response head larger than its reserved room")
        count += StreamETag.write(streamID: streamID, start: start, end: end, closed: closed, to: rest)
    }
}

extension ByteBuffer {
    /// Reserves `maximumBytes` and lets `write` fill a head into them; the buffer keeps what was written.
    mutating func writeHead(maximumBytes: Int, _ write: (inout HeadBytes) -> Void) {
        writeWithUnsafeMutableBytes(minimumWritableBytes: maximumBytes) { raw in
            var head = HeadBytes(UnsafeMutableRawBufferPointer(rebasing: raw[..<maximumBytes]))
            write(&head)
            return head.count
        }
    }
}
