/// A single file-name component standing for the stream path `path`, used by the
/// file store to name a stream's log.
///
/// The result contains only `A-Z a-z 0-9 . _ - % ~`, never `/` or NUL, never starts
/// with `.` (so it is never `.`, `..` or a hidden file) and is never empty or longer
/// than `StreamNameFormat.maxLength` bytes. Paths whose escaped form fits are
/// encoded reversibly and stay readable (`orders/2024` becomes `orders%2F2024`);
/// longer ones keep a readable prefix and end in `~` plus 128 bits of SHA-256 of the
/// whole path, so distinct long paths get distinct names. See `StreamNameFormat`.
///
/// Caveats for the caller:
/// - Case is preserved, so `A` and `a` are different names. On a case-insensitive
///   file system (the macOS default) they would name the same file; keep the data
///   directory on a case-sensitive volume.
/// - The mapping is over the path's UTF-8 bytes. Swift's `==` treats canonically
///   equivalent strings (precomposed `é` and `e` + combining accent) as equal, but
///   they get different names here. Key stores by the same bytes, not by `String`
///   equality alone, or normalise paths before they reach the store.
/// - A hashed name cannot be decoded, so the store must keep the full path elsewhere
///   (its metadata) and can compare it there to rule out any collision.
public func encodeStreamPath(_ path: String) -> String {
    let bytes = Array(path.utf8)
    guard !bytes.isEmpty else { return StreamNameFormat.emptyPathName }

    var encoded: [UInt8] = []
    encoded.reserveCapacity(min(bytes.count * 3, StreamNameFormat.maxLength + 3))
    // The longest encoded prefix that ends between two characters and fits a hashed name.
    var prefixLength = 0
    for (index, byte) in bytes.enumerated() {
        if !StreamNameBytes.isContinuation(byte), encoded.count <= StreamNameFormat.hashedPrefixLimit {
            prefixLength = encoded.count
        }
        if encoded.count > StreamNameFormat.maxLength { break }
        if StreamNameBytes.needsEscape(byte, isFirst: index == 0) {
            encoded.append(StreamNameFormat.escape)
            encoded.append(StreamNameBytes.upperHex[Int(byte >> 4)])
            encoded.append(StreamNameBytes.upperHex[Int(byte & 0x0F)])
        } else {
            encoded.append(byte)
        }
    }
    guard encoded.count > StreamNameFormat.maxLength else {
        return String(decoding: encoded, as: UTF8.self)
    }

    encoded.removeSubrange(prefixLength...)
    encoded.append(StreamNameFormat.hashMarker)
    for byte in SHA256.digest(bytes).prefix(StreamNameFormat.hashHexDigits / 2) {
        encoded.append(StreamNameBytes.lowerHex[Int(byte >> 4)])
        encoded.append(StreamNameBytes.lowerHex[Int(byte & 0x0F)])
    }
    return String(decoding: encoded, as: UTF8.self)
}
