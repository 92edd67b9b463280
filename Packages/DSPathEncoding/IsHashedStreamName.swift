/// Whether `encoded` is a hashed name: one `encodeStreamPath(_:)` produced for a path
/// too long to encode reversibly.
///
/// Such a name is a well-formed escaped prefix of the path, `~`, and 32 lower-case
/// hex digits, within `StreamNameFormat.maxLength` bytes. The store uses this to
/// tell, when it scans its directory, which log names it must look up in its
/// metadata because `decodeStreamPath(_:)` cannot recover them.
public func isHashedStreamName(_ encoded: String) -> Bool {
    let bytes = Array(encoded.utf8)
    let suffixLength = 1 + StreamNameFormat.hashHexDigits
    guard bytes.count > suffixLength, bytes.count <= StreamNameFormat.maxLength else { return false }
    let markerIndex = bytes.count - suffixLength
    guard bytes[markerIndex] == StreamNameFormat.hashMarker,
          bytes[(markerIndex + 1)...].allSatisfy(StreamNameBytes.isLowerHex),
          let prefix = StreamNameScanner.unescape(bytes[..<markerIndex])
    else { return false }
    return String(validating: prefix, as: UTF8.self) != nil
}
