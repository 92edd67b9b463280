import NIOCore
import NIOHTTP1

/// The request line, the field lines and the framing they declare.
extension HTTPRequestParser {
    /// Reads the head's complete lines; returns the head once its empty line has arrived.
    mutating func readHead() throws(HTTPRequestParserError) -> HTTPRequestHead? {
        guard try readLines(of: .head) else { return nil }
        let framing = try framing()
        var taken: [(String, String)] = []
        swap(&taken, &fields)
        let head = HTTPRequestHead(version: version, method: method, uri: target, headers: HTTPHeaders(taken))
        expectedFields = max(fieldCount, 4)
        state = framing
        target = ""
        headBytes = 0
        sawRequestLine = false
        fieldCount = 0
        contentLength = nil
        transferEncodings = 0
        chunkedOnly = true
        return head
    }

    /// Takes the complete lines in `bytes` (the search for the first one's LF resumes at `from`): returns how
    /// many bytes they span and whether the last was the empty line ending the head.
    mutating func scanHead(_ bytes: UnsafeRawBufferPointer, from: Int) throws(HTTPRequestParserError) -> (Int, Bool) {
        var lineStart = 0
        var searchFrom = from
        while let lineFeed = HTTPSyntax.lineFeed(in: bytes, from: searchFrom) {
            let lineBytes = lineFeed + 1 - lineStart
            if !sawRequestLine && lineBytes > limits.maxRequestLineBytes { throw .requestLineTooLong }
            headBytes += lineBytes
            if headBytes > limits.maxHeadBytes { throw .headTooLarge }
            guard lineFeed > lineStart, bytes[lineFeed - 1] == HTTPSyntax.cr else { throw .bareLineFeed }
            let end = lineFeed - 1
            if !sawRequestLine {
                // Empty lines before the request line are ignored (RFC 9112 §2.2), but count towards the head.
                if end > lineStart {
                    try parseRequestLine(bytes, lineStart, end)
                    sawRequestLine = true
                }
            } else if end == lineStart {
                return (lineFeed + 1, true)
            } else {
                try takeField(bytes, lineStart, end)
            }
            lineStart = lineFeed + 1
            searchFrom = lineStart
        }
        // The unfinished line will end in at least one more byte.
        let unfinished = bytes.count - lineStart
        if !sawRequestLine && unfinished + 1 > limits.maxRequestLineBytes { throw .requestLineTooLong }
        if headBytes + unfinished + 1 > limits.maxHeadBytes { throw .headTooLarge }
        return (lineStart, false)
    }

    /// `method SP request-target SP HTTP-version`, in `bytes[start..<end]` (CRLF removed).
    private mutating func parseRequestLine(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int) throws(HTTPRequestParserError) {
        var index = start
        while index < end && HTTPSyntax.isToken(bytes[index]) { index += 1 }
        guard index > start, index < end, bytes[index] == HTTPSyntax.space else { throw .invalidRequestLine }
        method = Self.method(bytes, start, index)
        index += 1
        let targetStart = index
        while index < end && HTTPSyntax.isTargetByte(bytes[index]) { index += 1 }
        guard index > targetStart, index < end, bytes[index] == HTTPSyntax.space else { throw .invalidRequestLine }
        target = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[targetStart..<index]), as: UTF8.self)
        index += 1
        guard end - index == 8, Self.matches(bytes, index, "HTTP/1.") else { throw .unsupportedVersion }
        switch bytes[index + 7] {
        case UInt8(ascii: "1"): version = .http1_1
        case UInt8(ascii: "0"): version = .http1_0
        default: throw .unsupportedVersion
        }
    }

    /// The method named by `bytes[start..<end]`, without making a string for the common ones.
    private static func method(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> HTTPMethod {
        switch end - start {
        case 3:
            if matches(bytes, start, "GET") { return .GET }
            if matches(bytes, start, "PUT") { return .PUT }
        case 4:
            if matches(bytes, start, "POST") { return .POST }
            if matches(bytes, start, "HEAD") { return .HEAD }
        case 5:
            if matches(bytes, start, "PATCH") { return .PATCH }
        case 6:
            if matches(bytes, start, "DELETE") { return .DELETE }
        case 7:
            if matches(bytes, start, "OPTIONS") { return .OPTIONS }
        default:
            break
        }
        return HTTPMethod(rawValue: String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self))
    }

    /// Whether the bytes at `start` are exactly `text` (the caller checked there are enough of them).
    @inline(__always)
    private static func matches(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ text: StaticString) -> Bool {
        let expected = text.utf8Start
        for index in 0..<text.utf8CodeUnitCount where bytes[start + index] != expected[index] {
            return false
        }
        return true
    }

    /// Checks one field line of the head, notes the framing it declares, and keeps it.
    private mutating func takeField(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int) throws(HTTPRequestParserError) {
        let field = try Self.splitField(bytes, start, end)
        fieldCount += 1
        if fieldCount > limits.maxFields { throw .tooManyFields }
        if HTTPSyntax.equalsIgnoringCase(bytes, start, field.nameEnd, "content-length") {
            try takeContentLength(bytes, field.valueStart, field.valueEnd)
        } else if HTTPSyntax.equalsIgnoringCase(bytes, start, field.nameEnd, "transfer-encoding") {
            transferEncodings += 1
            if !HTTPSyntax.equalsIgnoringCase(bytes, field.valueStart, field.valueEnd, "chunked") { chunkedOnly = false }
        }
        if fields.capacity == 0 { fields.reserveCapacity(expectedFields) }
        fields.append((
            String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<field.nameEnd]), as: UTF8.self),
            String(decoding: UnsafeRawBufferPointer(rebasing: bytes[field.valueStart..<field.valueEnd]), as: UTF8.self)
        ))
    }

    /// Where a field line's name ends and its value (without surrounding whitespace) lies.
    struct FieldRange {
        var nameEnd: Int
        var valueStart: Int
        var valueEnd: Int
    }

    /// `field-name ":" OWS field-value OWS` in `bytes[start..<end]` (not empty, CRLF removed).
    static func splitField(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int) throws(HTTPRequestParserError) -> FieldRange {
        if HTTPSyntax.isWhitespace(bytes[start]) { throw .obsoleteLineFolding }
        var index = start
        while index < end && HTTPSyntax.isToken(bytes[index]) { index += 1 }
        guard index > start, index < end, bytes[index] == HTTPSyntax.colon else { throw .invalidFieldName }
        let nameEnd = index
        index += 1
        while index < end && HTTPSyntax.isWhitespace(bytes[index]) { index += 1 }
        let valueStart = index
        var valueEnd = index
        while index < end {
            let byte = bytes[index]
            index += 1
            if byte > HTTPSyntax.space {
                if byte == 0x7F { throw .invalidFieldValue }
                valueEnd = index
            } else if byte != HTTPSyntax.space && byte != HTTPSyntax.tab {
                throw .invalidFieldValue
            }
        }
        return FieldRange(nameEnd: nameEnd, valueStart: valueStart, valueEnd: valueEnd)
    }

    /// `1*DIGIT`, or a list of them that must all be equal (RFC 9110 §8.6); each must equal earlier fields' value.
    private mutating func takeContentLength(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int) throws(HTTPRequestParserError) {
        var index = start
        while true {
            let digitsStart = index
            var value = 0
            while index < end, case let digit = bytes[index] &- UInt8(ascii: "0"), digit < 10 {
                guard index - digitsStart < Self.maxContentLengthDigits else { throw .invalidContentLength }
                value = value * 10 + Int(digit)
                index += 1
            }
            guard index > digitsStart else { throw .invalidContentLength }
            if let contentLength, contentLength != value { throw .conflictingContentLength }
            contentLength = value
            while index < end && HTTPSyntax.isWhitespace(bytes[index]) { index += 1 }
            if index == end { return }
            guard bytes[index] == HTTPSyntax.comma else { throw .invalidContentLength }
            index += 1
            while index < end && HTTPSyntax.isWhitespace(bytes[index]) { index += 1 }
        }
    }

    /// What follows the head: a body of `Content-Length` bytes, a chunked body, or nothing.
    private func framing() throws(HTTPRequestParserError) -> State {
        if transferEncodings > 0 {
            if contentLength != nil { throw .contentLengthWithTransferEncoding }
            if version == .http1_0 { throw .transferEncodingInHTTP10 }
            guard transferEncodings == 1 && chunkedOnly else { throw .unsupportedTransferCoding }
            return .chunkSize
        }
        if let contentLength, contentLength > 0 { return .body(remaining: contentLength) }
        return .end
    }
}
