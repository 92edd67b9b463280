/// A position in a stream, as the server mints it.
///
/// The wire form is two fixed-width, zero-padded decimal fields separated by `_`:
/// a 16-digit segment (reserved for retention and compaction, `0` today) and a 16-digit byte position.
/// Fixed width makes byte-wise string order equal numeric order, the form is URL-safe,
/// and it can never collide with the sentinels `-1` and `now`.
public struct StreamOffset: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Reserved for retention/compaction generations; always `0` in this implementation.
    public var segment: UInt64
    /// Byte position in the stream's stored representation.
    public var position: UInt64

    /// The number of characters of every encoded offset.
    public static let encodedLength = 33
    /// The largest value one field can hold (16 decimal digits).
    public static let fieldLimit: UInt64 = 9_999_999_999_999_999

    /// The offset of the start of every stream.
    public static let zero = StreamOffset(position: 0)

    /// Creates an offset at `position` in segment `segment`.
    public init(segment: UInt64 = 0, position: UInt64) {
        precondition(segment <= Self.fieldLimit && position <= Self.fieldLimit, "offset field out of range")
        self.segment = segment
        self.position = position
    }

    /// Parses the wire form; `nil` unless `text` is exactly two 16-digit fields joined by `_`.
    public init?(_ text: some StringProtocol) {
        let utf8 = text.utf8
        guard utf8.count == Self.encodedLength else { return nil }
        var segment: UInt64 = 0
        var position: UInt64 = 0
        var index = 0
        var ok = true
        utf8.withContiguousStorageIfAvailableOrCopy { bytes in
            for byte in bytes {
                if index == 16 {
                    if byte != UInt8(ascii: "_") { ok = false; return }
                } else {
                    guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { ok = false; return }
                    let digit = UInt64(byte &- UInt8(ascii: "0"))
                    if index < 16 { segment = segment &* 10 &+ digit } else { position = position &* 10 &+ digit }
                }
                index += 1
            }
        }
        guard ok else { return nil }
        self.segment = segment
        self.position = position
    }

    /// The wire form, e.g. `0000000000000000_0000000000000042`.
    public var description: String {
        String(unsafeUninitializedCapacity: Self.encodedLength) { buffer in
            Self.writeDigits(segment, into: buffer, at: 0)
            buffer[16] = UInt8(ascii: "_")
            Self.writeDigits(position, into: buffer, at: 17)
            return Self.encodedLength
        }
    }

    /// The offset `count` bytes further on.
    public func advanced(by count: UInt64) -> StreamOffset {
        StreamOffset(segment: segment, position: position + count)
    }

    public static func < (lhs: StreamOffset, rhs: StreamOffset) -> Bool {
        (lhs.segment, lhs.position) < (rhs.segment, rhs.position)
    }

    /// Writes `value` as 16 zero-padded decimal digits at `start`.
    static func writeDigits(_ value: UInt64, into buffer: UnsafeMutableBufferPointer<UInt8>, at start: Int) {
        var remaining = value
        var index = start + 15
        while index >= start {
            buffer[index] = UInt8(ascii: "0") &+ UInt8(remaining % 10)
            remaining /= 10
            index -= 1
        }
    }
}

extension Sequence where Element == UInt8 {
    fileprivate func withContiguousStorageIfAvailableOrCopy<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let result = self.withContiguousStorageIfAvailable(body) { return result }
        return Array(self).withUnsafeBufferPointer(body)
    }
}
