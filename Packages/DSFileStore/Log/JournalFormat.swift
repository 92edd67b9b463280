import CZlib
import NIOCore

/// The byte format of the shared journal (`<data-dir>/journal`), the write-ahead file that makes a group's log
/// writes durable with one `fdatasync` however many logs the group touched.
///
/// - File header, in the first ``headerSize`` bytes (records never share its page): the magic `DSJRNL` `0 1`,
///   the sequence number of the first record of the current lap (little-endian `UInt64`), the lap's random
///   nonce (`UInt64`), and the CRC-32 of those 24 bytes.
/// - Records from ``headerSize`` on, back to back: magic `DSJR` (`UInt32`), CRC-32 of everything after this
///   field (`UInt32`), sequence number (`UInt64`), the lap's nonce (`UInt64`), body length (`UInt32`), entry
///   count (`UInt32`), then the body: per entry the stream id (`UInt64`), the file position in its log
///   (`UInt64`), the byte count (`UInt32`) and the bytes written there.
///
/// The records of the current lap carry its nonce and consecutive sequence numbers starting at the header's;
/// a record with another nonce or number, a bad magic or checksum, or one running past the file's end ends
/// the lap (a torn last record, or a stale one from an earlier lap). Sequence numbers only grow and each lap
/// draws a new nonce, so a stale record never matches; and since clients never learn the nonce, appended
/// bytes that happen to (or are made to) look like a record, left behind in the file by an earlier lap, are
/// never taken for one either.
package enum JournalFormat {
    /// Bytes reserved for the file header; the first record starts here.
    package static let headerSize: UInt64 = 4096
    /// Size of a record's fixed header.
    package static let recordHeaderSize = 32
    /// Size of an entry's fixed header.
    static let entryHeaderSize = 20

    static let fileMagic: [UInt8] = [0x44, 0x53, 0x4A, 0x52, 0x4E, 0x4C, 0x00, 0x01]
    static let recordMagic: UInt32 = 0x524A_5344  // "DSJR" little-endian

    /// One write a record makes durable: `bytes` at `position` of stream `streamID`'s log.
    package struct Entry: Sendable {
        package var streamID: UInt64
        package var position: UInt64
        package var bytes: ByteBuffer

        package init(streamID: UInt64, position: UInt64, bytes: ByteBuffer) {
            self.streamID = streamID
            self.position = position
            self.bytes = bytes
        }
    }

    /// The header bytes of a journal whose current lap starts at `startSequence` with nonce `nonce`.
    static func fileHeader(startSequence: UInt64, nonce: UInt64) -> [UInt8] {
        var bytes = fileMagic
        withUnsafeBytes(of: startSequence.littleEndian) { bytes.append(contentsOf: $0) }
        withUnsafeBytes(of: nonce.littleEndian) { bytes.append(contentsOf: $0) }
        let crc = bytes.withUnsafeBytes { checksum($0) }
        withUnsafeBytes(of: crc.littleEndian) { bytes.append(contentsOf: $0) }
        return bytes
    }

    /// Bytes of the file header that carry information.
    static let fileHeaderLength = 28

    /// The current lap stored in a file header, or `nil` when the header is damaged or missing.
    static func lap(inHeader bytes: UnsafeRawBufferPointer) -> (startSequence: UInt64, nonce: UInt64)? {
        guard bytes.count >= fileHeaderLength, bytes.prefix(8).elementsEqual(fileMagic) else { return nil }
        let stored = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 24, as: UInt32.self))
        guard checksum(UnsafeRawBufferPointer(rebasing: bytes[0..<24])) == stored else { return nil }
        return (
            UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self)),
            UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 16, as: UInt64.self))
        )
    }

    /// The encoded size of a record holding `entries`.
    static func recordSize(_ entries: [Entry]) -> Int {
        recordHeaderSize + entries.reduce(0) { $0 + entryHeaderSize + $1.bytes.readableBytes }
    }

    /// One record: `entries` under sequence number `sequence` of the lap with nonce `nonce`.
    package static func record(sequence: UInt64, nonce: UInt64, entries: [Entry]) -> ByteBuffer {
        let size = recordSize(entries)
        var out = ByteBufferAllocator().buffer(capacity: size)
        out.writeInteger(recordMagic, endianness: .little)
        out.writeInteger(UInt32(0), endianness: .little)  // checksum, filled in below
        out.writeInteger(sequence, endianness: .little)
        out.writeInteger(nonce, endianness: .little)
        out.writeInteger(UInt32(size - recordHeaderSize), endianness: .little)
        out.writeInteger(UInt32(entries.count), endianness: .little)
        for entry in entries {
            out.writeInteger(entry.streamID, endianness: .little)
            out.writeInteger(entry.position, endianness: .little)
            out.writeInteger(UInt32(entry.bytes.readableBytes), endianness: .little)
            out.writeImmutableBuffer(entry.bytes)
        }
        let crc = out.withUnsafeReadableBytes { checksum(UnsafeRawBufferPointer(rebasing: $0[8...])) }
        out.setInteger(crc, at: out.readerIndex + 4, endianness: .little)
        return out
    }

    /// What a record header says: its sequence number, lap nonce and body length, or `nil` when it is not one.
    static func recordHeader(_ bytes: UnsafeRawBufferPointer) -> (sequence: UInt64, nonce: UInt64, bodyLength: Int)? {
        guard bytes.count >= recordHeaderSize,
            UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt32.self)) == recordMagic
        else { return nil }
        let sequence = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        let nonce = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 16, as: UInt64.self))
        let length = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 24, as: UInt32.self))
        return (sequence, nonce, Int(length))
    }

    /// The entries of a whole record (header and body), or `nil` when its checksum or layout is wrong.
    static func entries(ofRecord bytes: UnsafeRawBufferPointer) -> [Entry]? {
        guard bytes.count >= recordHeaderSize else { return nil }
        let stored = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
        guard checksum(UnsafeRawBufferPointer(rebasing: bytes[8...])) == stored else { return nil }
        let count = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 28, as: UInt32.self)))
        var entries: [Entry] = []
        var at = recordHeaderSize
        for _ in 0..<count {
            guard bytes.count - at >= entryHeaderSize else { return nil }
            let streamID = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt64.self))
            let position = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: at + 8, as: UInt64.self))
            let length = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: at + 16, as: UInt32.self)))
            at += entryHeaderSize
            guard bytes.count - at >= length else { return nil }
            let data = ByteBuffer(bytes: UnsafeRawBufferPointer(rebasing: bytes[at..<(at + length)]))
            entries.append(Entry(streamID: streamID, position: position, bytes: data))
            at += length
        }
        return at == bytes.count ? entries : nil
    }

    static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return 0 }
        return UInt32(truncatingIfNeeded: crc32_z(0, base.assumingMemoryBound(to: UInt8.self), bytes.count))
    }
}
