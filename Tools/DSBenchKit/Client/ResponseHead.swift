import NIOCore

/// A response's status and its raw header block; header values are looked up on demand, so a response
/// whose headers nobody reads costs no allocation.
struct ResponseHead {
    /// The status code.
    var status: UInt
    /// The header lines (without the status line and the blank line).
    var rawHeaders: ByteBuffer

    /// The first value of header `name` (ASCII case-insensitive), trimmed.
    func header(_ name: String) -> String? {
        headerValue(Array(name.lowercased().utf8)).map { String(buffer: $0) }
    }

    /// The first value of the header whose lowercase name is `lowercaseName`, trimmed, as a slice of the head
    /// (no allocation; copy it out rather than keep it, or the connection's receive buffer stays held).
    func headerValue(_ lowercaseName: [UInt8]) -> ByteBuffer? {
        let range = rawHeaders.withUnsafeReadableBytes { bytes -> Range<Int>? in
            let wanted = lowercaseName
            var lineStart = 0
            while lineStart < bytes.count {
                var lineEnd = lineStart
                while lineEnd < bytes.count && bytes[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
                let contentEnd = lineEnd > lineStart && bytes[lineEnd - 1] == UInt8(ascii: "\r") ? lineEnd - 1 : lineEnd
                if contentEnd - lineStart > wanted.count, bytes[lineStart + wanted.count] == UInt8(ascii: ":"),
                    ResponseParser.equalsIgnoringCase(UnsafeRawBufferPointer(rebasing: bytes[lineStart..<(lineStart + wanted.count)]), wanted)
                {
                    var valueStart = lineStart + wanted.count + 1
                    var valueEnd = contentEnd
                    while valueStart < valueEnd && (bytes[valueStart] == 0x20 || bytes[valueStart] == 0x09) { valueStart += 1 }
                    while valueEnd > valueStart && (bytes[valueEnd - 1] == 0x20 || bytes[valueEnd - 1] == 0x09) { valueEnd -= 1 }
                    return valueStart..<valueEnd
                }
                lineStart = lineEnd + 1
            }
            return nil
        }
        guard let range else { return nil }
        return rawHeaders.getSlice(at: rawHeaders.readerIndex + range.lowerBound, length: range.count)
    }
}
