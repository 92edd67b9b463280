import NIOCore

/// A chunked body's framing (RFC 9112 §7.1): size lines, the CRLF after each chunk's data, the trailer section.
extension HTTPRequestParser {
    /// Reads a complete chunk-size line; returns the size (0 for the last chunk).
    mutating func readChunkSize() throws(HTTPRequestParserError) -> Int? {
        guard let input = buffer else { return nil }
        let from = scanned
        let scan = input.withUnsafeReadableBytes { bytes in
            Result(catching: { () throws(HTTPRequestParserError) in try Self.scanChunkSize(bytes, from: from) })
        }
        guard let (size, used) = try scan.get() else {
            scanned = input.readableBytes
            return nil
        }
        consume(used)
        return size
    }

    /// `chunk-size [ chunk-ext ] CRLF` at the start of `bytes`: the size and the line's length, or `nil` while the
    /// line is unfinished. The size has at most ``maxChunkSizeDigits`` digits; extensions are skipped but
    /// bounded with the line by ``maxChunkLineBytes`` and may hold no control bytes but HT.
    private static func scanChunkSize(_ bytes: UnsafeRawBufferPointer, from: Int) throws(HTTPRequestParserError) -> (Int, Int)? {
        guard let lineFeed = HTTPSyntax.lineFeed(in: bytes, from: from) else {
            if bytes.count + 1 > maxChunkLineBytes { throw .invalidChunkSize }
            return nil
        }
        if lineFeed + 1 > maxChunkLineBytes { throw .invalidChunkSize }
        guard lineFeed > 0, bytes[lineFeed - 1] == HTTPSyntax.cr else { throw .bareLineFeed }
        let end = lineFeed - 1
        var index = 0
        var size = 0
        while index < end, case let digit = hexValue(bytes[index]), digit >= 0 {
            guard index < maxChunkSizeDigits else { throw .invalidChunkSize }
            size = size << 4 | digit
            index += 1
        }
        guard index > 0 else { throw .invalidChunkSize }
        if index < end {
            while index < end && HTTPSyntax.isWhitespace(bytes[index]) { index += 1 }
            guard index < end, bytes[index] == HTTPSyntax.semicolon else { throw .invalidChunkSize }
            while index < end {
                if HTTPSyntax.isForbiddenInValue(bytes[index]) { throw .invalidChunkSize }
                index += 1
            }
        }
        return (size, lineFeed + 1)
    }

    /// The value of a hexadecimal digit, or -1.
    @inline(__always)
    private static func hexValue(_ byte: UInt8) -> Int {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(byte &- UInt8(ascii: "0"))
        case UInt8(ascii: "A")...UInt8(ascii: "F"): Int(byte &- UInt8(ascii: "A")) + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): Int(byte &- UInt8(ascii: "a")) + 10
        default: -1
        }
    }

    /// Reads the CRLF that must follow a chunk's data; `false` while it has not fully arrived.
    mutating func readChunkTerminator() throws(HTTPRequestParserError) -> Bool {
        guard let input = buffer else { return false }
        guard input.getInteger(at: input.readerIndex, as: UInt8.self) == HTTPSyntax.cr else { throw .missingChunkTerminator }
        guard input.readableBytes >= 2 else { return false }
        guard input.getInteger(at: input.readerIndex + 1, as: UInt8.self) == HTTPSyntax.lf else { throw .missingChunkTerminator }
        consume(2)
        return true
    }

    /// Reads the trailer section after the last chunk: its fields are checked like the head's, counted against
    /// the same limits, and dropped. `true` once its empty line has arrived.
    mutating func readTrailers() throws(HTTPRequestParserError) -> Bool {
        guard try readLines(of: .trailers) else { return false }
        headBytes = 0
        fieldCount = 0
        return true
    }

    /// Takes the complete trailer lines in `bytes` (the search for the first one's LF resumes at `from`): returns
    /// how many bytes they span and whether the last was the empty line ending the section.
    mutating func scanTrailers(_ bytes: UnsafeRawBufferPointer, from: Int) throws(HTTPRequestParserError) -> (Int, Bool) {
        var lineStart = 0
        var searchFrom = from
        while let lineFeed = HTTPSyntax.lineFeed(in: bytes, from: searchFrom) {
            headBytes += lineFeed + 1 - lineStart
            if headBytes > limits.maxHeadBytes { throw .headTooLarge }
            guard lineFeed > lineStart, bytes[lineFeed - 1] == HTTPSyntax.cr else { throw .bareLineFeed }
            let end = lineFeed - 1
            if end == lineStart { return (lineFeed + 1, true) }
            _ = try Self.splitField(bytes, lineStart, end)
            fieldCount += 1
            if fieldCount > limits.maxFields { throw .tooManyFields }
            lineStart = lineFeed + 1
            searchFrom = lineStart
        }
        if headBytes + (bytes.count - lineStart) + 1 > limits.maxHeadBytes { throw .headTooLarge }
        return (lineStart, false)
    }
}
