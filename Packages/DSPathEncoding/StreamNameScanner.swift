/// Reads the escaped part of a name back into bytes, accepting only the exact
/// spelling the encoder would have produced, so that two different valid names
/// never stand for the same path.
enum StreamNameScanner {
    /// The bytes `name` spells, or `nil` if it contains a byte the encoder escapes,
    /// a malformed or lower-case escape, or an escape of a byte it writes literally.
    static func unescape(_ name: some Collection<UInt8>) -> [UInt8]? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(name.count)
        var iterator = name.makeIterator()
        while let byte = iterator.next() {
            if byte == StreamNameFormat.escape {
                guard let high = iterator.next().flatMap(StreamNameBytes.upperHexValue),
                      let low = iterator.next().flatMap(StreamNameBytes.upperHexValue)
                else { return nil }
                let value = high << 4 | low
                guard StreamNameBytes.needsEscape(value, isFirst: bytes.isEmpty) else { return nil }
                bytes.append(value)
            } else {
                guard !StreamNameBytes.needsEscape(byte, isFirst: bytes.isEmpty) else { return nil }
                bytes.append(byte)
            }
        }
        return bytes
    }
}
