import NIOCore

/// Standard base64 with `=` padding (RFC 4648 §4), encoding straight into a `ByteBuffer` so binary
/// payloads can be carried in text framings without intermediate arrays.
public enum Base64 {
    /// The number of bytes `encode` writes for `count` input bytes, padding included.
    public static func encodedLength(_ count: Int) -> Int {
        (count + 2) / 3 * 4
    }

    /// Appends the base64 encoding of `bytes` to `buffer`, reserving the exact space once.
    public static func encode(_ bytes: UnsafeRawBufferPointer, into buffer: inout ByteBuffer) {
        let length = encodedLength(bytes.count)
        guard length > 0 else { return }
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: length) { out in
            encode(bytes, to: out.baseAddress!)
            return length
        }
    }

    /// Appends the base64 encoding of the readable bytes of `source` to `buffer`.
    public static func encode(_ source: ByteBuffer, into buffer: inout ByteBuffer) {
        source.withUnsafeReadableBytes { encode($0, into: &buffer) }
    }

    /// Decodes padded standard base64, skipping `\r` and `\n`; `nil` for any other character outside the
    /// alphabet, missing or misplaced padding, or non-zero bits in the final padded group.
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        decode(utf8: text.utf8)
    }

    /// Decodes padded standard base64 held as ASCII bytes, with the same rules as the string overload.
    public static func decode(_ bytes: UnsafeRawBufferPointer) -> [UInt8]? {
        decode(utf8: bytes)
    }
}

extension Base64 {
    private static let alphabet: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

    private static func encode(_ bytes: UnsafeRawBufferPointer, to out: UnsafeMutableRawPointer) {
        let table = alphabet.utf8Start
        let count = bytes.count
        var i = 0
        var o = 0
        @inline(__always)
        func put(_ sextet: UInt32) {
            out.storeBytes(of: table[Int(sextet & 63)], toByteOffset: o, as: UInt8.self)
            o &+= 1
        }
        while i &+ 3 <= count {
            let group = UInt32(bytes[i]) << 16 | UInt32(bytes[i &+ 1]) << 8 | UInt32(bytes[i &+ 2])
            put(group >> 18)
            put(group >> 12)
            put(group >> 6)
            put(group)
            i &+= 3
        }
        switch count &- i {
        case 1:
            let group = UInt32(bytes[i]) << 16
            put(group >> 18)
            put(group >> 12)
            out.storeBytes(of: UInt8(ascii: "="), toByteOffset: o, as: UInt8.self)
            out.storeBytes(of: UInt8(ascii: "="), toByteOffset: o &+ 1, as: UInt8.self)
        case 2:
            let group = UInt32(bytes[i]) << 16 | UInt32(bytes[i &+ 1]) << 8
            put(group >> 18)
            put(group >> 12)
            put(group >> 6)
            out.storeBytes(of: UInt8(ascii: "="), toByteOffset: o, as: UInt8.self)
        default:
            break
        }
    }

    private static func sextet(_ c: UInt8) -> UInt32? {
        switch c {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): UInt32(c &- UInt8(ascii: "A"))
        case UInt8(ascii: "a")...UInt8(ascii: "z"): UInt32(c &- UInt8(ascii: "a")) + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(c &- UInt8(ascii: "0")) + 52
        case UInt8(ascii: "+"): 62
        case UInt8(ascii: "/"): 63
        default: nil
        }
    }

    private static func decode(utf8: some Sequence<UInt8>) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(utf8.underestimatedCount / 4 * 3)
        var group: UInt32 = 0
        var sextets = 0
        var padding = 0
        for c in utf8 where c != UInt8(ascii: "\r") && c != UInt8(ascii: "\n") {
            if c == UInt8(ascii: "=") {
                // Padding starts at position 2 or 3 of a group; a second `=` only follows one at position 2.
                guard padding == 0 ? sextets >= 2 : sextets + padding == 3 else { return nil }
                padding += 1
                continue
            }
            guard padding == 0, let value = sextet(c) else { return nil }
            group = group << 6 | value
            sextets += 1
            if sextets == 4 {
                out.append(UInt8(truncatingIfNeeded: group >> 16))
                out.append(UInt8(truncatingIfNeeded: group >> 8))
                out.append(UInt8(truncatingIfNeeded: group))
                group = 0
                sextets = 0
            }
        }
        guard sextets + padding == 4 || (sextets == 0 && padding == 0) else { return nil }
        switch sextets {
        case 2:
            guard group & 0xF == 0 else { return nil }
            out.append(UInt8(truncatingIfNeeded: group >> 4))
        case 3:
            guard group & 0x3 == 0 else { return nil }
            out.append(UInt8(truncatingIfNeeded: group >> 10))
            out.append(UInt8(truncatingIfNeeded: group >> 2))
        default:
            break
        }
        return out
    }
}
