/// The shape of the file names produced by `encodeStreamPath(_:)`.
///
/// A name is one of:
/// - **plain**: the path's UTF-8 bytes, with ASCII letters, digits, `-`, `_` and any
///   `.` except a leading one kept as is, and every other byte written as `%XX`
///   (two upper-case hex digits). Reversible with `decodeStreamPath(_:)`.
/// - **empty**: the single character `%`, standing for the empty path (an empty
///   file name is not possible).
/// - **hashed**: when the plain name would exceed `maxLength`, a prefix of it (cut
///   between whole characters) followed by `~` and 32 lower-case hex digits of the
///   SHA-256 of the full path. Not reversible; see `isHashedStreamName(_:)`.
public enum StreamNameFormat {
    /// The longest name, in bytes, that the encoder produces. File systems commonly
    /// allow 255; the remaining 15 bytes leave room for a suffix such as `.log`.
    public static let maxLength = 240

    /// Introduces a `%XX` escape.
    static let escape = UInt8(ascii: "%")

    /// Separates the prefix of a hashed name from its hash. Never appears in a plain
    /// name, because a `~` in a path is escaped.
    static let hashMarker = UInt8(ascii: "~")

    /// Number of hex digits of hash in a hashed name (128 bits).
    static let hashHexDigits = 32

    /// The name of the empty path.
    static let emptyPathName = "%"

    /// The longest prefix a hashed name keeps, so that prefix, marker and hash fit.
    static var hashedPrefixLimit: Int { maxLength - 1 - hashHexDigits }
}
