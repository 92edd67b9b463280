import CZlib
import NIOCore
import Testing

@testable import DSServer

struct GzipEncoderTests {
    let allocator = ByteBufferAllocator()

    @Test func emptyInputIsAValidEmptyMember() throws {
        for parts in [[], [ByteBuffer()], [ByteBuffer(), ByteBuffer()]] {
            let compressed = GzipEncoder().compress(parts, allocator: allocator)
            #expect(compressed.getBytes(at: compressed.readerIndex, length: 3) == [0x1f, 0x8b, 0x08])
            #expect(try inflateGzip(compressed) == [])
        }
    }

    @Test func smallBodyRoundTrips() throws {
        let body = Array(#"{"offset":"0000000000000001_0000000000000042","data":"hello"}"#.utf8)
        let compressed = GzipEncoder().compress([ByteBuffer(bytes: body)], allocator: allocator)
        #expect(try inflateGzip(compressed) == body)
    }

    @Test func tenMegabytesOfRandomBytesRoundTrip() throws {
        let body = seededRandomBytes(count: 10 * 1024 * 1024)
        let compressed = GzipEncoder().compress([ByteBuffer(bytes: body)], allocator: allocator)
        #expect(try inflateGzip(compressed) == body)
    }

    @Test func tenMegabytesOfCompressibleBytesRoundTripSmaller() throws {
        let line = Array(#"{"event":"append","stream":"orders","payload":"lorem ipsum dolor"}\n"#.utf8)
        var body: [UInt8] = []
        body.reserveCapacity(10 * 1024 * 1024 + line.count)
        while body.count < 10 * 1024 * 1024 { body += line }
        let compressed = GzipEncoder().compress([ByteBuffer(bytes: body)], allocator: allocator)
        #expect(compressed.readableBytes < body.count / 10)
        #expect(try inflateGzip(compressed) == body)
    }

    @Test func partsAreConcatenatedFromTheirReadableBytesOnly() throws {
        let body = seededRandomBytes(count: 300_000)
        var withConsumedPrefix = ByteBuffer(bytes: [0xde, 0xad] + body[100_000..<250_000])
        withConsumedPrefix.moveReaderIndex(forwardBy: 2)
        let parts = [
            ByteBuffer(bytes: body[0..<1]),
            ByteBuffer(),
            ByteBuffer(bytes: body[1..<100_000]),
            withConsumedPrefix,
            ByteBuffer(bytes: body[250_000...]),
        ]
        let compressed = GzipEncoder().compress(parts, allocator: allocator)
        #expect(try inflateGzip(compressed) == body)
    }

    @Test(arguments: [-1, 0, 1, 6, 9] as [Int32])
    func everyLevelRoundTrips(level: Int32) throws {
        let body = Array(String(repeating: "durable streams ", count: 50_000).utf8) + seededRandomBytes(count: 50_000)
        let compressed = GzipEncoder(level: level).compress([ByteBuffer(bytes: body)], allocator: allocator)
        #expect(try inflateGzip(compressed) == body)
        if level == 0 {
            #expect(compressed.readableBytes > body.count)
        } else {
            #expect(compressed.readableBytes < body.count / 2)
        }
    }

    @Test(arguments: [
        ("gzip", true),
        ("GZip", true),
        ("deflate, gzip;q=0.5", true),
        ("gzip;q=0", false),
        ("*", true),
        ("*;q=0", false),
        ("identity", false),
        ("br, x-gzip", true),
        ("gzip;q=0.000", false),
        ("", false),
        ("  br ;q=1 ,\tGZIP ; Q = 0.001 ", true),
        ("gzip;q=0, *", false),
        ("*;q=0, gzip", true),
        ("br, *;q=0.1", true),
        ("gzip;q=1.000", true),
        ("gzip;q=abc", false),
        ("gzipped, gzip-ish", false),
        (",,;q=1,", false),
    ])
    func acceptEncodingParsing(header: String, expected: Bool) {
        #expect(acceptsGzip(header) == expected)
    }
}

private struct InflateFailure: Error, CustomStringConvertible {
    let description: String
}

/// Inflates exactly one gzip member, failing on trailing garbage or a truncated stream.
func inflateGzip(_ compressed: ByteBuffer) throws -> [UInt8] {
    let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
    stream.initialize(to: z_stream())
    defer { stream.deallocate() }
    let initResult = CZlib_inflateInit2(stream, 15 + 16)
    guard initResult == Z_OK else { throw InflateFailure(description: "inflateInit2 returned \(initResult)") }
    defer { inflateEnd(stream) }

    var output: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 64 * 1024)
    return try compressed.withUnsafeReadableBytes { input in
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(input.count)
        while true {
            let result = chunk.withUnsafeMutableBytes { buffer in
                stream.pointee.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.pointee.avail_out = uInt(buffer.count)
                return inflate(stream, Z_NO_FLUSH)
            }
            output += chunk[..<(chunk.count - Int(stream.pointee.avail_out))]
            switch result {
            case Z_STREAM_END:
                guard stream.pointee.avail_in == 0 else {
                    throw InflateFailure(description: "\(stream.pointee.avail_in) bytes after the gzip member")
                }
                return output
            case Z_OK:
                continue
            default:
                let message = stream.pointee.msg.map { String(cString: $0) } ?? "no message"
                throw InflateFailure(description: "inflate returned \(result): \(message)")
            }
        }
    }
}

/// SplitMix64, so a failing random input can be reproduced.
private func seededRandomBytes(count: Int, seed: UInt64 = 0x5eed) -> [UInt8] {
    var state = seed
    var bytes: [UInt8] = []
    bytes.reserveCapacity(count + 8)
    while bytes.count < count {
        state &+= 0x9e37_79b9_7f4a_7c15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xbf58_476d_1ce4_e5b9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94d0_49bb_1331_11eb
        mixed ^= mixed >> 31
        withUnsafeBytes(of: mixed.littleEndian) { bytes += $0 }
    }
    return Array(bytes.prefix(count))
}
