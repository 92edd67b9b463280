import NIOCore

/// Validates a JSON-mode body as strict RFC 8259 JSON and finds the messages it holds, in one pass.
///
/// PROTOCOL.md §9.1: a body that is a JSON array is flattened exactly one level, each direct element
/// becoming one message; any other JSON value is a single message. The splitter reports byte ranges
/// into the input instead of copying, so callers can slice the request `ByteBuffer` they already hold.
///
/// Choices where RFC 8259 leaves room:
/// - Escaped lone surrogates (`"\uD800"`) are accepted, as `JSON.parse` and most parsers accept them.
///   Surrogates encoded directly as UTF-8 bytes (`ED A0 80`) are rejected as invalid UTF-8.
/// - A UTF-8 byte order mark is rejected; only the four JSON whitespace bytes may surround the value.
/// - Nesting deeper than ``maximumDepth`` arrays and objects is rejected. Parsing uses an explicit
///   stack, so hostile input cannot overflow the thread's stack.
public enum JSONMessageSplitter {
    /// The deepest nesting of arrays and objects accepted; `[[…]]` 513 levels deep fails.
    public static let maximumDepth = 512

    /// Validates `bytes` as one JSON value and returns the byte ranges of its messages.
    ///
    /// - Throws: ``JSONValidationError`` naming the first offending byte.
    public static func split(_ bytes: UnsafeRawBufferPointer) throws(JSONValidationError) -> JSONSplit {
        guard let base = bytes.baseAddress, !bytes.isEmpty else {
            throw JSONValidationError(message: "empty JSON body", byteOffset: 0)
        }
        var scanner = Scanner(base: base, end: bytes.count)
        return try scanner.run()
    }

    /// Validates the readable bytes of `buffer`; the returned ranges are relative to its `readerIndex`.
    ///
    /// - Throws: ``JSONValidationError`` naming the first offending byte.
    public static func split(_ buffer: ByteBuffer) throws(JSONValidationError) -> JSONSplit {
        let result = buffer.withUnsafeReadableBytes { bytes in
            Result { () throws(JSONValidationError) -> JSONSplit in try split(bytes) }
        }
        return try result.get()
    }
}

/// The messages found in a JSON-mode body by ``JSONMessageSplitter``.
public struct JSONSplit: Sendable, Equatable {
    /// Whether the body was a JSON array, in which case each direct element is one message.
    public var isArray: Bool
    /// Byte ranges of the messages, trimmed of surrounding whitespace: the direct elements of an
    /// array body (none for `[]`), or the one value of any other body.
    public var elements: [Range<Int>]
}

/// Why a body is not valid JSON, with the offset of the byte where validation stopped.
public struct JSONValidationError: Error, Sendable, Equatable {
    /// A short human explanation such as "unexpected character 'x' at byte 12".
    public var message: String
    /// Offset into the input of the offending byte (the input length when input ended too early).
    public var byteOffset: Int

    /// Creates an error; the message should already name the offset.
    public init(message: String, byteOffset: Int) {
        self.message = message
        self.byteOffset = byteOffset
    }
}

extension JSONMessageSplitter {
    /// One bit per open container (1 = array), enough for ``maximumDepth`` levels without allocating.
    private struct ContainerStack {
        private var words: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) =
            (0, 0, 0, 0, 0, 0, 0, 0)

        static var capacity: Int { 8 * 64 }

        mutating func set(level: Int, isArray: Bool) {
            withUnsafeMutableBytes(of: &words) { raw in
                let offset = (level >> 6) &* 8
                let bit = UInt64(1) << UInt64(level & 63)
                var word = raw.load(fromByteOffset: offset, as: UInt64.self)
                word = isArray ? word | bit : word & ~bit
                raw.storeBytes(of: word, toByteOffset: offset, as: UInt64.self)
            }
        }

        func isArray(level: Int) -> Bool {
            withUnsafeBytes(of: words) { raw in
                let word = raw.load(fromByteOffset: (level >> 6) &* 8, as: UInt64.self)
                return word & (UInt64(1) << UInt64(level & 63)) != 0
            }
        }
    }

    private struct Scanner {
        let base: UnsafeRawPointer
        let end: Int
        var index = 0
        var depth = 0
        var topIsArray = false
        var stack = ContainerStack()
        var elements: [Range<Int>] = []

        init(base: UnsafeRawPointer, end: Int) {
            self.base = base
            self.end = end
        }

        @inline(__always)
        func byte(_ offset: Int) -> UInt8 {
            base.load(fromByteOffset: offset, as: UInt8.self)
        }

        mutating func run() throws(JSONValidationError) -> JSONSplit {
            skipWhitespace()
            guard index < end else {
                throw JSONValidationError(message: "empty JSON body", byteOffset: index)
            }
            let valueStart = index
            let rootIsArray = byte(index) == UInt8(ascii: "[")
            var elementStart = index

            parsing: while true {
                // A value must start at `index`; whitespace before it has been skipped.
                guard index < end else { throw unexpectedEnd() }
                if rootIsArray && depth == 1 { elementStart = index }
                let first = byte(index)
                switch first {
                case UInt8(ascii: "{"):
                    try push(isArray: false)
                    index &+= 1
                    skipWhitespace()
                    if index < end && byte(index) == UInt8(ascii: "}") {
                        index &+= 1
                        pop()
                    } else {
                        try scanKeyAndColon()
                        continue parsing
                    }
                case UInt8(ascii: "["):
                    try push(isArray: true)
                    index &+= 1
                    skipWhitespace()
                    if index < end && byte(index) == UInt8(ascii: "]") {
                        index &+= 1
                        pop()
                    } else {
                        continue parsing
                    }
                case UInt8(ascii: "\""):
                    try scanString()
                case UInt8(ascii: "t"):
                    try scanLiteral("true")
                case UInt8(ascii: "f"):
                    try scanLiteral("false")
                case UInt8(ascii: "n"):
                    try scanLiteral("null")
                case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                    try scanNumber()
                default:
                    throw unexpected(at: index)
                }

                // A value ended at `index`: record it, then close whatever containers the input closes.
                while true {
                    if depth == 0 { break parsing }
                    if rootIsArray && depth == 1 { elements.append(elementStart..<index) }
                    skipWhitespace()
                    guard index < end else { throw unexpectedEnd() }
                    let next = byte(index)
                    if next == UInt8(ascii: ",") {
                        index &+= 1
                        skipWhitespace()
                        if !topIsArray { try scanKeyAndColon() }
                        continue parsing
                    }
                    if next == (topIsArray ? UInt8(ascii: "]") : UInt8(ascii: "}")) {
                        index &+= 1
                        pop()
                        continue
                    }
                    throw unexpected(at: index, expecting: topIsArray ? "',' or ']'" : "',' or '}'")
                }
            }

            let valueEnd = index
            skipWhitespace()
            guard index == end else {
                throw JSONValidationError(
                    message: "unexpected \(describe(byte(index))) after the JSON value at byte \(index)",
                    byteOffset: index
                )
            }
            return rootIsArray
                ? JSONSplit(isArray: true, elements: elements)
                : JSONSplit(isArray: false, elements: [valueStart..<valueEnd])
        }

        // MARK: Containers

        mutating func push(isArray: Bool) throws(JSONValidationError) {
            guard depth < JSONMessageSplitter.maximumDepth, depth < ContainerStack.capacity else {
                throw JSONValidationError(
                    message: "nesting deeper than \(JSONMessageSplitter.maximumDepth) levels at byte \(index)",
                    byteOffset: index
                )
            }
            stack.set(level: depth, isArray: isArray)
            depth &+= 1
            topIsArray = isArray
        }

        mutating func pop() {
            depth &-= 1
            topIsArray = depth > 0 && stack.isArray(level: depth &- 1)
        }

        /// Scans `"key"`, optional whitespace, `:` and whitespace, leaving `index` at the member value.
        mutating func scanKeyAndColon() throws(JSONValidationError) {
            guard index < end else { throw unexpectedEnd() }
            guard byte(index) == UInt8(ascii: "\"") else {
                throw unexpected(at: index, expecting: "a string key")
            }
            try scanString()
            skipWhitespace()
            guard index < end else { throw unexpectedEnd() }
            guard byte(index) == UInt8(ascii: ":") else { throw unexpected(at: index, expecting: "':'") }
            index &+= 1
            skipWhitespace()
        }

        // MARK: Scalars

        @inline(__always)
        mutating func skipWhitespace() {
            while index < end {
                let b = byte(index)
                guard b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 else { return }
                index &+= 1
            }
        }

        mutating func scanLiteral(_ literal: StaticString) throws(JSONValidationError) {
            let bytes = literal.utf8Start
            for k in 0..<literal.utf8CodeUnitCount {
                guard index < end else { throw unexpectedEnd() }
                guard byte(index) == bytes[k] else { throw unexpected(at: index) }
                index &+= 1
            }
        }

        mutating func scanNumber() throws(JSONValidationError) {
            if byte(index) == UInt8(ascii: "-") { index &+= 1 }
            guard index < end else { throw unexpectedEnd() }
            let lead = byte(index)
            if lead == UInt8(ascii: "0") {
                index &+= 1
                if index < end && isDigit(byte(index)) {
                    throw JSONValidationError(
                        message: "leading zero in number at byte \(index &- 1)",
                        byteOffset: index &- 1
                    )
                }
            } else if isDigit(lead) {
                skipDigits()
            } else {
                throw unexpected(at: index, expecting: "a digit")
            }
            if index < end && byte(index) == UInt8(ascii: ".") {
                index &+= 1
                try expectDigits()
            }
            if index < end && byte(index) | 0x20 == UInt8(ascii: "e") {
                index &+= 1
                if index < end && (byte(index) == UInt8(ascii: "+") || byte(index) == UInt8(ascii: "-")) {
                    index &+= 1
                }
                try expectDigits()
            }
        }

        @inline(__always)
        func isDigit(_ b: UInt8) -> Bool { b &- UInt8(ascii: "0") < 10 }

        @inline(__always)
        mutating func skipDigits() {
            while index < end && isDigit(byte(index)) { index &+= 1 }
        }

        mutating func expectDigits() throws(JSONValidationError) {
            guard index < end else { throw unexpectedEnd() }
            guard isDigit(byte(index)) else { throw unexpected(at: index, expecting: "a digit") }
            skipDigits()
        }

        // MARK: Strings

        /// Scans a string from its opening quote to just past its closing quote.
        mutating func scanString() throws(JSONValidationError) {
            let start = index
            index &+= 1
            while true {
                skipPlainStringBytes()
                guard index < end else {
                    throw JSONValidationError(message: "unterminated string at byte \(start)", byteOffset: start)
                }
                let b = byte(index)
                if b == UInt8(ascii: "\"") {
                    index &+= 1
                    return
                } else if b == UInt8(ascii: "\\") {
                    try scanEscape(stringStart: start)
                } else if b < 0x20 {
                    throw JSONValidationError(
                        message: "unescaped control character \(hex(b)) in string at byte \(index)",
                        byteOffset: index
                    )
                } else if b >= 0x80 {
                    try scanUTF8Sequence()
                } else {
                    index &+= 1
                }
            }
        }

        /// Advances over printable ASCII that needs no attention, eight bytes at a time (SWAR), stopping
        /// at the first quote, backslash, control character or non-ASCII byte.
        @inline(__always)
        mutating func skipPlainStringBytes() {
            let ones: UInt64 = 0x0101_0101_0101_0101
            let highs: UInt64 = 0x8080_8080_8080_8080
            while index &+ 8 <= end {
                let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: index, as: UInt64.self))
                let quote = word ^ (ones &* 0x22)
                let backslash = word ^ (ones &* 0x5C)
                // Each term flags its first matching byte exactly; borrows only add flags above it.
                let control = (word &- ones &* 0x20) & ~word
                let quoteZero = (quote &- ones) & ~quote
                let backslashZero = (backslash &- ones) & ~backslash
                let special = (control | quoteZero | backslashZero) & highs | word & highs
                if special == 0 {
                    index &+= 8
                } else {
                    index &+= special.trailingZeroBitCount >> 3
                    return
                }
            }
            while index < end {
                let b = byte(index)
                guard b >= 0x20, b < 0x80, b != UInt8(ascii: "\""), b != UInt8(ascii: "\\") else { return }
                index &+= 1
            }
        }

        mutating func scanEscape(stringStart: Int) throws(JSONValidationError) {
            guard index &+ 1 < end else {
                throw JSONValidationError(message: "unterminated string at byte \(stringStart)", byteOffset: stringStart)
            }
            switch byte(index &+ 1) {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"),
                UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                index &+= 2
            case UInt8(ascii: "u"):
                for k in 2..<6 {
                    guard index &+ k < end, isHexDigit(byte(index &+ k)) else {
                        throw JSONValidationError(message: "invalid \\u escape at byte \(index)", byteOffset: index)
                    }
                }
                index &+= 6
            case let other:
                let shown = other >= 0x21 && other < 0x7F ? "'\\\(Character(Unicode.Scalar(other)))'" : hex(other)
                throw JSONValidationError(message: "invalid escape \(shown) at byte \(index)", byteOffset: index)
            }
        }

        @inline(__always)
        func isHexDigit(_ b: UInt8) -> Bool {
            isDigit(b) || (b | 0x20) &- UInt8(ascii: "a") < 6
        }

        /// Validates one multi-byte UTF-8 sequence per RFC 3629 §4: no overlongs, no surrogates,
        /// nothing above U+10FFFF, no truncation.
        mutating func scanUTF8Sequence() throws(JSONValidationError) {
            let lead = byte(index)
            var trailing = 2
            var low: UInt8 = 0x80
            var high: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: trailing = 1
            case 0xE0: low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: break
            case 0xED: high = 0x9F
            case 0xF0: trailing = 3; low = 0x90
            case 0xF1...0xF3: trailing = 3
            case 0xF4: trailing = 3; high = 0x8F
            default: throw invalidUTF8()
            }
            guard index &+ trailing < end else { throw invalidUTF8() }
            let second = byte(index &+ 1)
            guard second >= low && second <= high else { throw invalidUTF8() }
            var k = 2
            while k <= trailing {
                guard byte(index &+ k) & 0xC0 == 0x80 else { throw invalidUTF8() }
                k &+= 1
            }
            index &+= trailing &+ 1
        }

        // MARK: Errors

        func invalidUTF8() -> JSONValidationError {
            JSONValidationError(message: "invalid UTF-8 at byte \(index)", byteOffset: index)
        }

        func unexpectedEnd() -> JSONValidationError {
            JSONValidationError(message: "unexpected end of input at byte \(end)", byteOffset: end)
        }

        func unexpected(at offset: Int, expecting expected: String? = nil) -> JSONValidationError {
            let found = describe(byte(offset))
            guard let expected else {
                return JSONValidationError(message: "unexpected \(found) at byte \(offset)", byteOffset: offset)
            }
            return JSONValidationError(
                message: "expected \(expected) but found \(found) at byte \(offset)",
                byteOffset: offset
            )
        }

        func describe(_ b: UInt8) -> String {
            b >= 0x21 && b < 0x7F ? "character '\(Character(Unicode.Scalar(b)))'" : "byte \(hex(b))"
        }

        func hex(_ b: UInt8) -> String {
            let digits = String(b, radix: 16, uppercase: true)
            return b < 0x10 ? "0x0" + digits : "0x" + digits
        }
    }
}
