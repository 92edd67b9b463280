import DSPathEncoding
import Testing

/// The promises every encoded name keeps, whatever the path.
func expectSafeFileName(_ name: String, for path: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let bytes = Array(name.utf8)
    let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~-%".utf8)
    #expect(!bytes.isEmpty, "empty name for \(path.debugDescription)", sourceLocation: sourceLocation)
    #expect(bytes.count <= StreamNameFormat.maxLength, "\(bytes.count) bytes for \(path.debugDescription)", sourceLocation: sourceLocation)
    #expect(bytes.allSatisfy(allowed.contains), "bad byte in \(name) for \(path.debugDescription)", sourceLocation: sourceLocation)
    #expect(bytes.first != UInt8(ascii: "."), "leading dot in \(name)", sourceLocation: sourceLocation)
    #expect(name != "." && name != "..", sourceLocation: sourceLocation)
    #expect(!bytes.contains(UInt8(ascii: "/")) && !bytes.contains(0), sourceLocation: sourceLocation)
}

/// Whether `path` comes back byte for byte from its encoding (String `==` alone
/// would accept a canonically equivalent but different spelling).
func roundTrips(_ path: String) -> Bool {
    guard let decoded = decodeStreamPath(encodeStreamPath(path)) else { return false }
    return Array(decoded.utf8) == Array(path.utf8)
}
