import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// A minimal HTTP/1.1 response parser for the load generator: status line, framing headers
/// (`Content-Length`, `Transfer-Encoding: chunked`), bodies by length, by chunks or until close, and
/// pipelined responses in request order. Body bytes are passed on as slices of the received buffers.
///
/// NIOHTTP1's decoder builds an `HTTPHeaders` value (a string per header) for every response; at the
/// request rates measured here that cost alone made the client slower than the servers it measures.
///
/// A class: consumers send the next request (``expectResponse(bodyAllowed:)``) from inside ``feed(_:_:)``.
final class ResponseParser {
    private enum State {
        case head
        case fixed(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers
        case untilClose
    }

    private var state = State.head
    /// Bytes of an incomplete head or chunk-size line carried over to the next read.
    private var carry: ByteBuffer?
    /// Whether each request sent and not yet answered can have a body (false for HEAD).
    private var expectations = CircularBuffer<Bool>(initialCapacity: 4)

    static let maxHeadBytes = 64 * 1024

    /// Call once per request sent, in order.
    func expectResponse(bodyAllowed: Bool) { expectations.append(bodyAllowed) }

    /// Parses `input`, calling `consumer` for every head, body slice and end.
    func feed(_ input: ByteBuffer, _ consumer: any ResponseConsumer) throws(BenchError) {
        var buffer: ByteBuffer
        if var carried = carry {
            carry = nil
            carried.writeImmutableBuffer(input)
            buffer = carried
        } else {
            buffer = input
        }
        while buffer.readableBytes > 0 {
            switch state {
            case .head:
                guard let end = Self.find(crlfcrlf: buffer) else { return try keep(buffer, limit: Self.maxHeadBytes) }
                let head = buffer.readSlice(length: end + 4)!
                try parseHead(head, consumer)
            case .fixed(let remaining):
                let count = min(remaining, buffer.readableBytes)
                consumer.responseBody(buffer.readSlice(length: count)!)
                if count == remaining { finishResponse(consumer) } else { state = .fixed(remaining: remaining - count) }
            case .chunkSize:
                guard let end = Self.find(crlf: buffer) else { return try keep(buffer, limit: 1024) }
                let line = buffer.readSlice(length: end)!
                buffer.moveReaderIndex(forwardBy: 2)
                guard let size = Self.chunkSize(line) else { throw .connectionFailed("malformed chunk size") }
                state = size == 0 ? .trailers : .chunkData(remaining: size)
            case .chunkData(let remaining):
                let count = min(remaining, buffer.readableBytes)
                consumer.responseBody(buffer.readSlice(length: count)!)
                state = count == remaining ? .chunkDataEnd : .chunkData(remaining: remaining - count)
            case .chunkDataEnd:
                guard buffer.readableBytes >= 2 else { return try keep(buffer, limit: 2) }
                buffer.moveReaderIndex(forwardBy: 2)
                state = .chunkSize
            case .trailers:
                guard let end = Self.find(crlf: buffer) else { return try keep(buffer, limit: Self.maxHeadBytes) }
                buffer.moveReaderIndex(forwardBy: end + 2)
                if end == 0 { finishResponse(consumer) }
            case .untilClose:
                consumer.responseBody(buffer)
                return
            }
        }
    }

    /// The connection closed: a body delimited by the close ends here.
    func connectionClosed(_ consumer: any ResponseConsumer) {
        if case .untilClose = state { finishResponse(consumer) }
    }

    private func keep(_ buffer: ByteBuffer, limit: Int) throws(BenchError) {
        guard buffer.readableBytes <= limit else { throw .connectionFailed("response head or chunk line too long") }
        var copy = ByteBuffer()
        copy.reserveCapacity(buffer.readableBytes * 2)
        copy.writeImmutableBuffer(buffer)
        carry = copy
    }

    private func parseHead(_ head: ByteBuffer, _ consumer: any ResponseConsumer) throws(BenchError) {
        // "HTTP/1.1 204 No Content\r\n" then header lines.
        guard let lineEnd = Self.find(crlf: head), lineEnd >= 12 else { throw .connectionFailed("malformed status line") }
        let status: UInt? = head.withUnsafeReadableBytes { bytes in
            guard bytes[0] == UInt8(ascii: "H"), bytes[8] == 0x20 else { return nil }
            var value: UInt = 0
            for index in 9..<12 {
                let digit = bytes[index] &- UInt8(ascii: "0")
                guard digit < 10 else { return nil }
                value = value * 10 + UInt(digit)
            }
            return value
        }
        guard let status else { throw .connectionFailed("malformed status line") }
        let headers = head.getSlice(at: head.readerIndex + lineEnd + 2, length: head.readableBytes - lineEnd - 4) ?? ByteBuffer()
        if status >= 100 && status < 200 { return }  // informational: the real response follows
        let bodyAllowed = expectations.isEmpty ? true : expectations.removeFirst()
        let framing = Self.framing(headers)
        consumer.responseHead(ResponseHead(status: status, rawHeaders: headers))
        if !bodyAllowed || status == 204 || status == 304 {
            finishResponse(consumer)
        } else if framing.chunked {
            state = .chunkSize
        } else if let length = framing.contentLength {
            if length == 0 { finishResponse(consumer) } else { state = .fixed(remaining: length) }
        } else {
            state = .untilClose
        }
    }

    private func finishResponse(_ consumer: any ResponseConsumer) {
        state = .head
        consumer.responseEnd()
    }

    private static let contentLengthName: [UInt8] = Array("content-length".utf8)
    private static let transferEncodingName: [UInt8] = Array("transfer-encoding".utf8)

    /// `Content-Length` and whether `Transfer-Encoding` ends in `chunked`. A response head has a dozen lines and
    /// a live reader parses one per delivery, so lines are found with `memchr` and only names of the right length
    /// are compared (passing the name tables along costs a retain and release each).
    private static func framing(_ headers: ByteBuffer) -> (contentLength: Int?, chunked: Bool) {
        headers.withUnsafeReadableBytes { bytes in
            var contentLength: Int?
            var chunked = false
            guard let base = bytes.baseAddress else { return (nil, false) }
            var lineStart = 0
            while lineStart < bytes.count {
                let lineEnd = Self.offset(of: 0x0A, in: base, from: lineStart, to: bytes.count) ?? bytes.count
                if let colon = Self.offset(of: UInt8(ascii: ":"), in: base, from: lineStart, to: lineEnd) {
                    let name = UnsafeRawBufferPointer(rebasing: bytes[lineStart..<colon])
                    if name.count == contentLengthName.count && equalsIgnoringCase(name, contentLengthName) {
                        var value = 0
                        for byte in bytes[(colon + 1)..<lineEnd] where byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                            value = value * 10 + Int(byte - UInt8(ascii: "0"))
                        }
                        contentLength = value
                    } else if name.count == transferEncodingName.count && equalsIgnoringCase(name, transferEncodingName) {
                        let value = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[(colon + 1)..<lineEnd]), as: UTF8.self)
                        chunked = value.lowercased().contains("chunked")
                    }
                }
                lineStart = lineEnd + 1
            }
            return (contentLength, chunked)
        }
    }

    /// The offset from `base` of the first `byte` in `start..<end`.
    private static func offset(of byte: UInt8, in base: UnsafeRawPointer, from start: Int, to end: Int) -> Int? {
        guard start < end, let found = memchr(base + start, Int32(byte), end - start) else { return nil }
        return base.distance(to: UnsafeRawPointer(found))
    }

    static func equalsIgnoringCase(_ bytes: UnsafeRawBufferPointer, _ lowercase: [UInt8]) -> Bool {
        guard bytes.count == lowercase.count else { return false }
        for index in 0..<bytes.count {
            var byte = bytes[index]
            if byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") { byte |= 0x20 }
            if byte != lowercase[index] { return false }
        }
        return true
    }

    private static func chunkSize(_ line: ByteBuffer) -> Int? {
        var value = 0
        var digits = 0
        for byte in line.readableBytesView {
            let digit: Int
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = Int(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = Int(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = Int(byte - UInt8(ascii: "A") + 10)
            case UInt8(ascii: ";"), 0x20, 0x09: return digits > 0 ? value : nil
            default: return nil
            }
            guard digits < 15 else { return nil }
            value = value * 16 + digit
            digits += 1
        }
        return digits > 0 ? value : nil
    }

    /// Offset (from the reader index) of the first CRLF.
    private static func find(crlf buffer: ByteBuffer) -> Int? {
        buffer.withUnsafeReadableBytes { bytes in
            guard bytes.count >= 2 else { return nil }
            var index = 0
            while index < bytes.count - 1 {
                if bytes[index] == 0x0D && bytes[index + 1] == 0x0A { return index }
                index += 1
            }
            return nil
        }
    }

    /// Offset of the first CRLFCRLF.
    private static func find(crlfcrlf buffer: ByteBuffer) -> Int? {
        buffer.withUnsafeReadableBytes { bytes in
            guard bytes.count >= 4 else { return nil }
            var index = 0
            while index < bytes.count - 3 {
                if bytes[index + 3] != 0x0A {
                    index += bytes[index + 3] == 0x0D ? 1 : 4
                    continue
                }
                if bytes[index] == 0x0D && bytes[index + 1] == 0x0A && bytes[index + 2] == 0x0D { return index }
                index += 1
            }
            return nil
        }
    }
}
