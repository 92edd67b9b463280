/// The stream path that `encodeStreamPath(_:)` turned into `encoded`, or `nil`.
///
/// This is the exact inverse for plain names: `decodeStreamPath(encodeStreamPath(p))`
/// gives back `p` byte for byte. It returns `nil` for hashed names (their path is
/// not recoverable; see `isHashedStreamName(_:)`) and for anything the encoder
/// could not have produced: foreign characters, malformed or lower-case escapes,
/// escapes of bytes that are written literally, bytes that are not valid UTF-8, or
/// names longer than `StreamNameFormat.maxLength`. Because only the encoder's own
/// spelling is accepted, a stray file in the data directory is never mistaken for a
/// stream, and no two names decode to the same path.
public func decodeStreamPath(_ encoded: String) -> String? {
    if encoded == StreamNameFormat.emptyPathName { return "" }
    let utf8 = encoded.utf8
    guard !utf8.isEmpty, utf8.count <= StreamNameFormat.maxLength,
          let bytes = StreamNameScanner.unescape(utf8)
    else { return nil }
    return String(validating: bytes, as: UTF8.self)
}
