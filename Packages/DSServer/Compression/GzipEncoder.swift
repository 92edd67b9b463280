import CZlib
import NIOCore

/// One-shot gzip (RFC 1952) of a response body, using the system zlib.
///
/// Each call runs a fresh deflate stream, so one encoder can be shared freely across event loops.
struct GzipEncoder: Sendable {
    /// zlib compression level: 0 (stored) to 9 (smallest), or -1 for zlib's default (6).
    let level: Int32

    /// - Parameter level: defaults to 1, the fastest real compression, because bodies are compressed per request.
    init(level: Int32 = 1) {
        precondition((-1...9).contains(level), "gzip level must be -1...9, got \(level)")
        self.level = level
    }

    /// Compresses the concatenation of `parts` into one gzip member, allocated from `allocator`.
    ///
    /// The output buffer is sized once from `deflateBound`, and deflate writes straight into it.
    /// zlib can fail here only when it cannot allocate its state, which traps like any other
    /// allocation failure in Swift.
    func compress(_ parts: [ByteBuffer], allocator: ByteBufferAllocator) -> ByteBuffer {
        // zlib keeps a pointer back to the z_stream and checks it on every call, so the stream
        // needs a stable address; `&localVariable` does not promise one.
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        defer { stream.deallocate() }

        let gzipFraming: Int32 = 15 + 16  // 32 KiB window, gzip header and trailer instead of zlib's
        let initResult = CZlib_deflateInit2(stream, level, gzipFraming, 8, Z_DEFAULT_STRATEGY)
        guard initResult == Z_OK else { zlibFailure("deflateInit2", initResult, stream) }
        defer { deflateEnd(stream) }

        let inputBytes = parts.reduce(0) { $0 + $1.readableBytes }
        var output = allocator.buffer(capacity: Int(deflateBound(stream, uLong(inputBytes))))

        for part in parts where part.readableBytes > 0 {
            part.withUnsafeReadableBytes { input in
                stream.pointee.next_in = UnsafeMutablePointer(
                    mutating: input.baseAddress!.assumingMemoryBound(to: Bytef.self))
                stream.pointee.avail_in = uInt(input.count)
                while stream.pointee.avail_in > 0 {
                    deflateStep(stream, flush: Z_NO_FLUSH, into: &output)
                }
            }
        }
        stream.pointee.next_in = nil
        stream.pointee.avail_in = 0
        while deflateStep(stream, flush: Z_FINISH, into: &output) != Z_STREAM_END {}
        return output
    }

    /// Runs one `deflate` call into the writable bytes of `output`, growing it only if
    /// `deflateBound` was not enough (zlib promises that it is for Z_NO_FLUSH and Z_FINISH).
    @discardableResult
    private func deflateStep(
        _ stream: UnsafeMutablePointer<z_stream>, flush: Int32, into output: inout ByteBuffer
    ) -> Int32 {
        if output.writableBytes == 0 {
            output.reserveCapacity(minimumWritableBytes: max(4096, output.readableBytes / 2))
        }
        var result = Z_OK
        output.writeWithUnsafeMutableBytes(minimumWritableBytes: 0) { free in
            stream.pointee.next_out = free.baseAddress!.assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = uInt(free.count)
            result = deflate(stream, flush)
            let written = free.count - Int(stream.pointee.avail_out)
            stream.pointee.next_out = nil
            stream.pointee.avail_out = 0
            return written
        }
        // Z_BUF_ERROR only means "no progress possible"; the caller's loop supplies more room.
        guard result == Z_OK || result == Z_STREAM_END || result == Z_BUF_ERROR else {
            zlibFailure("deflate", result, stream)
        }
        return result
    }

    private func zlibFailure(_ call: String, _ code: Int32, _ stream: UnsafeMutablePointer<z_stream>) -> Never {
        let message = stream.pointee.msg.map { String(cString: $0) } ?? "no message"
        fatalError("zlib \(call) failed with code \(code): \(message)")
    }
}

/// Parses an `Accept-Encoding` header value (RFC 9110 §12.5.3): true when `gzip` (or its alias
/// `x-gzip`, or else `*`) is acceptable with q > 0.
///
/// An explicit gzip entry wins over `*`, so `"gzip;q=0, *"` refuses gzip and `"*;q=0, gzip"`
/// accepts it. Codings and parameter names are case-insensitive and whitespace is ignored.
/// A malformed q-value counts as 0: sending identity is always safe. Pass repeated header
/// lines joined with ",". Works on the UTF-8 bytes without allocating.
func acceptsGzip(_ acceptEncoding: String) -> Bool {
    var gzipAccepted: Bool?  // nil until gzip or x-gzip is named
    var wildcardAccepted: Bool?
    for entry in acceptEncoding.utf8.split(separator: UInt8(ascii: ",")) {
        var fields = entry.split(separator: UInt8(ascii: ";"), omittingEmptySubsequences: false)[...]
        guard let coding = fields.popFirst().map(trimmingWhitespace), !coding.isEmpty else { continue }
        var acceptable = true
        for parameter in fields {
            let pair = parameter.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            if pair.count == 2, equalsIgnoringASCIICase(trimmingWhitespace(pair[0]), "q") {
                acceptable = isPositiveQValue(trimmingWhitespace(pair[1]))
            }
        }
        if equalsIgnoringASCIICase(coding, "gzip") || equalsIgnoringASCIICase(coding, "x-gzip") {
            gzipAccepted = (gzipAccepted ?? false) || acceptable
        } else if equalsIgnoringASCIICase(coding, "*") {
            wildcardAccepted = (wildcardAccepted ?? false) || acceptable
        }
    }
    return gzipAccepted ?? wildcardAccepted ?? false
}

/// True for a q-value made of digits and at most one dot, with a non-zero digit in it
/// ("1", "0.5", "1.000"); false for "0", "0.000" and anything malformed.
private func isPositiveQValue(_ value: Substring.UTF8View) -> Bool {
    var sawDot = false
    var sawNonZero = false
    for byte in value {
        switch byte {
        case UInt8(ascii: "0"): break
        case UInt8(ascii: "1")...UInt8(ascii: "9"): sawNonZero = true
        case UInt8(ascii: ".") where !sawDot: sawDot = true
        default: return false
        }
    }
    return sawNonZero
}

private func trimmingWhitespace(_ bytes: Substring.UTF8View) -> Substring.UTF8View {
    let isWhitespace = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
    guard let first = bytes.firstIndex(where: { !isWhitespace($0) }),
        let last = bytes.lastIndex(where: { !isWhitespace($0) })
    else { return bytes[bytes.endIndex...] }
    return bytes[first...last]
}

/// Compares against a lowercase ASCII literal.
private func equalsIgnoringASCIICase(_ bytes: Substring.UTF8View, _ lowercase: StaticString) -> Bool {
    lowercase.withUTF8Buffer { expected in
        bytes.count == expected.count
            && zip(bytes, expected).allSatisfy { byte, wanted in
                let folded = (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte
                return folded == wanted
            }
    }
}
