/// Appends fixed-width little-endian integers and length-prefixed strings: the format of every metadata value.
struct ByteWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 128) { bytes.reserveCapacity(capacity) }

    mutating func write(_ value: UInt8) { bytes.append(value) }

    mutating func write(_ value: Bool) { bytes.append(value ? 1 : 0) }

    mutating func write(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func write(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func write(_ value: Int64) { write(UInt64(bitPattern: value)) }

    mutating func write(_ value: String) {
        write(UInt32(value.utf8.count))
        bytes.append(contentsOf: value.utf8)
    }

    /// Writes a presence byte, then the value when present.
    mutating func writeOptional<T>(_ value: T?, _ body: (inout ByteWriter, T) -> Void) {
        guard let value else { return write(false) }
        write(true)
        body(&self, value)
    }
}

/// Reads what ``ByteWriter`` wrote, failing with ``FileStoreFailure/corrupt(_:)`` instead of reading past the end.
struct ByteReader {
    private let bytes: UnsafeRawBufferPointer
    private var position = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var isAtEnd: Bool { position == bytes.count }

    mutating func readUInt8() throws(FileStoreFailure) -> UInt8 {
        try need(1)
        defer { position += 1 }
        return bytes[position]
    }

    mutating func readBool() throws(FileStoreFailure) -> Bool { try readUInt8() != 0 }

    mutating func readUInt32() throws(FileStoreFailure) -> UInt32 {
        try need(4)
        defer { position += 4 }
        return UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: UInt32.self))
    }

    mutating func readUInt64() throws(FileStoreFailure) -> UInt64 {
        try need(8)
        defer { position += 8 }
        return UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: UInt64.self))
    }

    mutating func readInt64() throws(FileStoreFailure) -> Int64 { Int64(bitPattern: try readUInt64()) }

    mutating func readString() throws(FileStoreFailure) -> String {
        let count = Int(try readUInt32())
        try need(count)
        defer { position += count }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[position..<position + count]), as: UTF8.self)
    }

    mutating func readOptional<T>(_ body: (inout ByteReader) throws(FileStoreFailure) -> T) throws(FileStoreFailure) -> T? {
        guard try readBool() else { return nil }
        return try body(&self)
    }

    private func need(_ count: Int) throws(FileStoreFailure) {
        if bytes.count - position < count { throw .corrupt("metadata record is truncated") }
    }
}

/// Big-endian keys, so LMDB's byte-wise key order is numeric order.
enum MetadataKey {
    static func bigEndian(_ value: UInt64) -> [UInt8] {
        withUnsafeBytes(of: value.bigEndian) { Array($0) }
    }

    static func readBigEndian(_ bytes: UnsafeRawBufferPointer, at offset: Int = 0) -> UInt64 {
        UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }
}
