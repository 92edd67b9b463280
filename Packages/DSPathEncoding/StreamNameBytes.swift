/// Byte-level rules shared by the encoder and the decoder, so both agree exactly on
/// which bytes are written literally.
enum StreamNameBytes {
    /// Whether `byte` must be written as `%XX`. `isFirst` is true for the first byte
    /// of the path, where a literal `.` would make a hidden file, `.` or `..`.
    static func needsEscape(_ byte: UInt8, isFirst: Bool) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "_"):
            return false
        case UInt8(ascii: "."):
            return isFirst
        default:
            return true
        }
    }

    /// Whether `byte` continues a multi-byte UTF-8 sequence (10xxxxxx).
    static func isContinuation(_ byte: UInt8) -> Bool {
        byte & 0xC0 == 0x80
    }

    static let upperHex = Array("0123456789ABCDEF".utf8)
    static let lowerHex = Array("0123456789abcdef".utf8)

    /// The value of an upper-case hex digit, or `nil`; lower case is rejected so that
    /// every byte has exactly one spelling.
    static func upperHexValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Whether `digit` is a lower-case hex digit, as used in the hash of a hashed name.
    static func isLowerHex(_ digit: UInt8) -> Bool {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"): true
        default: false
        }
    }
}
