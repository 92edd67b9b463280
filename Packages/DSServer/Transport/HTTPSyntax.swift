#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The byte classes of RFC 9110/9112 that ``HTTPRequestParser`` checks, as branch-light inline tests.
enum HTTPSyntax {
    static let cr: UInt8 = 0x0D
    static let lf: UInt8 = 0x0A
    static let space: UInt8 = 0x20
    static let tab: UInt8 = 0x09
    static let colon: UInt8 = 0x3A
    static let semicolon: UInt8 = 0x3B
    static let comma: UInt8 = 0x2C

    /// `tchar`: `!#$%&'*+-.^_`|~`, digits and letters (one bit per byte below 128).
    @inline(__always)
    static func isToken(_ byte: UInt8) -> Bool {
        if byte < 64 { return (0x03FF_6CFA_0000_0000 as UInt64) >> byte & 1 == 1 }
        if byte < 128 { return (0x57FF_FFFF_C7FF_FFFE as UInt64) >> (byte &- 64) & 1 == 1 }
        return false
    }

    /// SP or HT.
    @inline(__always)
    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == space || byte == tab
    }

    /// A control byte that may not appear in a field value: below SP except HT, and DEL.
    @inline(__always)
    static func isForbiddenInValue(_ byte: UInt8) -> Bool {
        (byte < space && byte != tab) || byte == 0x7F
    }

    /// A byte allowed in a request target: visible ASCII (no space, control byte or non-ASCII byte).
    @inline(__always)
    static func isTargetByte(_ byte: UInt8) -> Bool {
        byte > space && byte < 0x7F
    }

    /// Whether `bytes[start..<end]` equals `lowercase` (ASCII letters and `-` only) ignoring case. Only called
    /// on bytes already checked to be token bytes, where `| 0x20` folds case and nothing else.
    @inline(__always)
    static func equalsIgnoringCase(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int, _ lowercase: StaticString) -> Bool {
        guard end - start == lowercase.utf8CodeUnitCount else { return false }
        let expected = lowercase.utf8Start
        for index in 0..<(end - start) where bytes[start + index] | 0x20 != expected[index] {
            return false
        }
        return true
    }

    /// The index of the first LF in `bytes` at or after `start`, if any.
    @inline(__always)
    static func lineFeed(in bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
        guard start < bytes.count, let base = bytes.baseAddress else { return nil }
        guard let found = memchr(base + start, Int32(lf), bytes.count - start) else { return nil }
        return UnsafeRawPointer(found) - base
    }
}
