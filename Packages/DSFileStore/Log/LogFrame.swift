import CZlib
import NIOCore

/// The framing of a stream log: a file header, then frames of `length | checksum | payload`.
///
/// - File header (16 bytes): the magic `DSLOG` `0 0 1`, then the stream id (little-endian `UInt64`), so a log
///   is never mistaken for another incarnation's.
/// - Frame header (8 bytes): payload length (little-endian `UInt32`), then the CRC-32 of those four length
///   bytes followed by the payload. A torn or corrupted frame fails its checksum. The top bit of the length
///   word (``continuedFlag``) marks a frame that the same append continues in the next frame: the frames of
///   one append without it end a *record*, the data boundary a fork sub-offset may not cross.
///
/// Payloads concatenate to the stream's stored representation: each JSON message with its `,` is one frame;
/// other streams are cut into frames of at most ``maxBinaryPayload`` bytes, so verifying the frames around
/// a read never costs more than a bounded amount beyond the bytes returned.
package enum LogFrame {
    /// Largest payload of a frame of a non-JSON stream.
    static let maxBinaryPayload = 64 * 1024

    /// Set in a frame's length word when the next frame belongs to the same append (binary appends longer
    /// than ``maxBinaryPayload``); payloads are therefore shorter than 2 GiB.
    static let continuedFlag: UInt32 = 1 << 31

    static let magic: [UInt8] = [0x44, 0x53, 0x4C, 0x4F, 0x47, 0x00, 0x00, 0x01]

    /// The 16 header bytes of the log of stream `id`.
    package static func fileHeader(streamID id: UInt64) -> [UInt8] {
        magic + withUnsafeBytes(of: id.littleEndian) { Array($0) }
    }

    /// Checks a log's header bytes against the stream it should belong to.
    static func validateFileHeader(_ bytes: UnsafeRawBufferPointer, streamID id: UInt64) throws(FileStoreFailure) {
        guard bytes.count == Int(LogGeometry.fileHeaderSize), bytes.prefix(8).elementsEqual(magic) else {
            throw .corrupt("log file header is damaged")
        }
        let stored = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        guard stored == id else { throw .corrupt("log file belongs to stream \(stored), not \(id)") }
    }

    /// Appends `payload` as one frame to `out`; `continued` when the same append goes on in the next frame.
    package static func write(_ payload: ByteBuffer, continued: Bool = false, to out: inout ByteBuffer) {
        precondition(payload.readableBytes < Int(continuedFlag), "a frame payload must be shorter than 2 GiB")
        let length = UInt32(payload.readableBytes) | (continued ? continuedFlag : 0)
        let checksum = payload.withUnsafeReadableBytes { checksumOf(length: length, payload: $0) }
        out.writeInteger(length, endianness: .little)
        out.writeInteger(checksum, endianness: .little)
        out.writeImmutableBuffer(payload)
    }

    /// The checksum stored in a frame header; `length` is the whole length word, flag included.
    static func checksumOf(length: UInt32, payload: UnsafeRawBufferPointer) -> UInt32 {
        var lengthBytes = length.littleEndian
        var crc = withUnsafeBytes(of: &lengthBytes) { raw in
            crc32_z(0, raw.bindMemory(to: UInt8.self).baseAddress, 4)
        }
        if let base = payload.baseAddress, payload.count > 0 {
            crc = crc32_z(crc, base.assumingMemoryBound(to: UInt8.self), payload.count)
        }
        return UInt32(truncatingIfNeeded: crc)
    }

    /// The payloads `body` is stored as: for JSON, one per message (each already followed by `,`);
    /// otherwise slices of at most ``maxBinaryPayload`` bytes. Slices share `body`'s storage.
    static func payloads(of body: ByteBuffer, messageEnds: [Int]?) -> [ByteBuffer] {
        var payloads: [ByteBuffer] = []
        var start = 0
        if let messageEnds {
            payloads.reserveCapacity(messageEnds.count)
            for end in messageEnds {
                payloads.append(body.getSlice(at: body.readerIndex + start, length: end - start)!)
                start = end
            }
            return payloads
        }
        let total = body.readableBytes
        while start < total {
            let length = min(maxBinaryPayload, total - start)
            payloads.append(body.getSlice(at: body.readerIndex + start, length: length)!)
            start += length
        }
        return payloads
    }
}
