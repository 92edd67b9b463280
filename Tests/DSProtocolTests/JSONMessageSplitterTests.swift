import DSProtocol
import NIOCore
import Testing

struct JSONMessageSplitterTests {
    // MARK: Helpers

    private func split(_ bytes: [UInt8]) throws(JSONValidationError) -> JSONSplit {
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(JSONValidationError) -> JSONSplit in try JSONMessageSplitter.split(raw) }
        }
        return try result.get()
    }

    private func split(_ text: String) throws(JSONValidationError) -> JSONSplit {
        try split(Array(text.utf8))
    }

    /// The message texts of a valid body.
    private func messages(_ text: String) throws -> [String] {
        let bytes = Array(text.utf8)
        return try split(bytes).elements.map { String(decoding: bytes[$0], as: UTF8.self) }
    }

    private func error(_ bytes: [UInt8]) -> JSONValidationError? {
        do {
            _ = try split(bytes)
            return nil
        } catch {
            return error
        }
    }

    private func error(_ text: String) -> JSONValidationError? {
        error(Array(text.utf8))
    }

    // MARK: Splitting

    @Test func singleObjectIsOneMessage() throws {
        let result = try split(#"{"event": "created"}"#)
        #expect(!result.isArray)
        #expect(try messages(#"{"event": "created"}"#) == [#"{"event": "created"}"#])
    }

    @Test func surroundingWhitespaceIsTrimmed() throws {
        #expect(try messages(" \t\r\n{\"a\":1} \n") == [#"{"a":1}"#])
        #expect(try split(" \t\r\n{\"a\":1} \n").elements == [4..<11])
        #expect(try messages("\n[ 1 ,\t2\r\n]\n") == ["1", "2"])
    }

    @Test func arrayIsFlattenedOneLevel() throws {
        #expect(try messages(#"[{"event": "a"}, {"event": "b"}]"#) == [#"{"event": "a"}"#, #"{"event": "b"}"#])
        #expect(try messages("[[1,2], [3,4]]") == ["[1,2]", "[3,4]"])
        #expect(try messages("[[[1,2,3]]]") == ["[[1,2,3]]"])
        #expect(try split("[[[1,2,3]]]").isArray)
    }

    @Test func emptyArrayHasNoMessages() throws {
        for body in ["[]", " [ ] ", "[\n]"] {
            let result = try split(body)
            #expect(result.isArray)
            #expect(result.elements.isEmpty)
        }
        #expect(try messages("[[]]") == ["[]"])
        #expect(try messages("[{}, []]") == ["{}", "[]"])
    }

    @Test func mixedElementsKeepTheirExactText() throws {
        let body = #"[ 1 , "a" , null , true , false , {} , [] , -0.5e+10 , {"k" : [1, {"x": "]"}]} ]"#
        #expect(
            try messages(body) == [
                "1", #""a""#, "null", "true", "false", "{}", "[]", "-0.5e+10", #"{"k" : [1, {"x": "]"}]}"#,
            ])
        #expect(try messages(#"["a,b", "]", "[", "\"]"]"#) == [#""a,b""#, #""]""#, #""[""#, #""\"]""#])
    }

    @Test(arguments: [
        "0", "-0", "1", "-1", "0.0", "10", "1234567890", "1e10", "1E10", "1e+10", "1e-10", "-1.5E-3",
        "0e0", "123.456e789", #""""#, #""str""#, "true", "false", "null", "{}", #"{"a":{"b":{"c":[]}}}"#,
    ])
    func scalarsAndObjectsAreOneMessage(body: String) throws {
        let result = try split(body)
        #expect(!result.isArray)
        #expect(try messages(body) == [body])
    }

    @Test func validEscapesAreAccepted() throws {
        let body = #""\" \\ \/ \b \f \n \r \t \u00e9 \u00E9 \uD83D\uDE00 \u0000""#
        #expect(try messages(body) == [body])
    }

    @Test func loneSurrogateEscapesAreAccepted() throws {
        // Documented choice: escaped lone surrogates pass, as in JSON.parse.
        #expect(try messages(#""\uD800""#) == [#""\uD800""#])
        #expect(try messages(#""\uDC00x""#) == [#""\uDC00x""#])
    }

    @Test(arguments: [
        [0xC2, 0x80],  // U+0080
        [0xDF, 0xBF],  // U+07FF
        [0xE0, 0xA0, 0x80],  // U+0800
        [0xE2, 0x82, 0xAC],  // €
        [0xED, 0x9F, 0xBF],  // U+D7FF
        [0xEE, 0x80, 0x80],  // U+E000
        [0xEF, 0xBF, 0xBF],  // U+FFFF
        [0xF0, 0x90, 0x80, 0x80],  // U+10000
        [0xF0, 0x9F, 0x98, 0x80],  // 😀
        [0xF4, 0x8F, 0xBF, 0xBF],  // U+10FFFF
    ] as [[UInt8]])
    func validUTF8InStringsIsAccepted(sequence: [UInt8]) throws {
        let body: [UInt8] = [0x22] + sequence + Array("abc".utf8) + sequence + [0x22]
        #expect(try split(body).elements == [0..<body.count])
    }

    @Test func longStringsAreScannedAtEveryAlignment() throws {
        // Special bytes at every position relative to the eight-byte fast path.
        for length in 0..<40 {
            for special in ["\\n", "\\\"", "é", "😀", "\\u0041"] {
                for position in 0...length {
                    var text = String(repeating: "a", count: length)
                    text.insert(contentsOf: special, at: text.index(text.startIndex, offsetBy: position))
                    let body = "[\"\(text)\",\"\(text)\"]"
                    #expect(try messages(body) == ["\"\(text)\"", "\"\(text)\""])
                }
            }
        }
    }

    @Test func rawBytesInLongStringsAreFoundAtEveryAlignment() {
        for length in 1..<24 {
            for position in 0..<length {
                for bad: UInt8 in [0x00, 0x0A, 0x1F, 0x80, 0xFF] {
                    var body: [UInt8] = [0x22] + Array(repeating: UInt8(ascii: "a"), count: length) + [0x22]
                    body[1 + position] = bad
                    let failure = error(body)
                    #expect(failure?.byteOffset == 1 + position, "length \(length) position \(position)")
                }
            }
        }
    }

    @Test func nestingUpToTheLimitIsAccepted() throws {
        let depth = JSONMessageSplitter.maximumDepth
        let arrays = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        #expect(try messages(arrays) == [String(arrays.dropFirst().dropLast())])
        let objects = String(repeating: #"{"a":"#, count: depth) + "1" + String(repeating: "}", count: depth)
        #expect(try messages(objects) == [objects])
        var mixed = ""
        for level in 0..<depth { mixed += level.isMultiple(of: 2) ? "[" : #"{"k":"# }
        mixed += "0"
        for level in (0..<depth).reversed() { mixed += level.isMultiple(of: 2) ? "]" : "}" }
        #expect(try split(mixed).elements.count == 1)
    }

    @Test func nestingBeyondTheLimitIsRejectedWithoutRecursion() {
        let depth = JSONMessageSplitter.maximumDepth + 1
        let arrays = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        #expect(error(arrays)?.byteOffset == depth - 1)
        #expect(error(arrays)?.message == "nesting deeper than 512 levels at byte 512")
        // Far deeper input must fail fast, not overflow the stack.
        let hostile = String(repeating: "[", count: 1_000_000)
        #expect(error(hostile)?.byteOffset == JSONMessageSplitter.maximumDepth)
        let hostileObjects = String(repeating: #"{"a":"#, count: 100_000)
        #expect(error(hostileObjects) != nil)
    }

    @Test func byteBufferRangesAreRelativeToReaderIndex() throws {
        var buffer = ByteBuffer(string: "xxxx[1, [2]]")
        buffer.moveReaderIndex(forwardBy: 4)
        let result = try JSONMessageSplitter.split(buffer)
        #expect(result.isArray)
        #expect(result.elements == [1..<2, 4..<7])
        #expect(buffer.getString(at: buffer.readerIndex + 4, length: 3) == "[2]")

        var bad = ByteBuffer(string: "[1,]")
        #expect(throws: JSONValidationError.self) { try JSONMessageSplitter.split(bad) }
        bad.clear()
        #expect(throws: JSONValidationError(message: "empty JSON body", byteOffset: 0)) {
            try JSONMessageSplitter.split(bad)
        }
    }

    // MARK: Rejections

    @Test(arguments: ["", " ", "\n\t\r ", "\n"])
    func emptyBodiesAreRejected(body: String) {
        #expect(error(body)?.message == "empty JSON body")
    }

    @Test(arguments: ["{} {}", "1 2", "[] x", #""a" "b""#, "[]]", "{}}", "null,", "1 /", "true false"])
    func trailingGarbageIsRejected(body: String) {
        #expect(error(body) != nil)
    }

    @Test func trailingGarbageNamesTheByte() {
        #expect(error("{} {}") == JSONValidationError(message: "unexpected character '{' after the JSON value at byte 3", byteOffset: 3))
    }

    @Test(arguments: [#""abc"#, #""abc\""#, #"["abc]"#, #"{"a":"b}"#, #"""#, #""\"#, #""\u00"#])
    func unterminatedStringsAreRejected(body: String) {
        #expect(error(body) != nil)
    }

    @Test func unterminatedStringNamesItsStart() {
        #expect(error(#"[1, "abc"#) == JSONValidationError(message: "unterminated string at byte 4", byteOffset: 4))
    }

    @Test(arguments: [#""\x""#, #""\u12""#, #""\u12G4""#, #""\U0041""#, #""\'""#, #""\a""#, #""\0""#, #""\ ""#, #""\u{41}""#])
    func invalidEscapesAreRejected(body: String) {
        #expect(error(body) != nil)
    }

    @Test func invalidEscapeMessages() {
        #expect(error(#""ab\x""#) == JSONValidationError(message: #"invalid escape '\x' at byte 3"#, byteOffset: 3))
        #expect(error(#""\u12G4""#) == JSONValidationError(message: #"invalid \u escape at byte 1"#, byteOffset: 1))
    }

    @Test(arguments: Array(UInt8(0)..<0x20))
    func rawControlCharactersInStringsAreRejected(control: UInt8) {
        let body: [UInt8] = [0x22, UInt8(ascii: "a"), control, UInt8(ascii: "b"), 0x22]
        #expect(error(body)?.byteOffset == 2)
    }

    @Test func controlCharacterMessage() {
        #expect(
            error("\"a\nb\"") == JSONValidationError(message: "unescaped control character 0x0A in string at byte 2", byteOffset: 2))
        #expect(error([0x22, 0x7F, 0x22]) == nil, "DEL is not a control character for JSON")
    }

    @Test(arguments: [
        [0xC0, 0x80],  // overlong NUL
        [0xC1, 0xBF],  // overlong
        [0xE0, 0x80, 0x80],  // overlong
        [0xE0, 0x9F, 0xBF],  // overlong
        [0xF0, 0x80, 0x80, 0x80],  // overlong
        [0xF0, 0x8F, 0xBF, 0xBF],  // overlong
        [0xED, 0xA0, 0x80],  // U+D800 encoded directly
        [0xED, 0xBF, 0xBF],  // U+DFFF encoded directly
        [0xF4, 0x90, 0x80, 0x80],  // above U+10FFFF
        [0xF5, 0x80, 0x80, 0x80],
        [0xF8, 0x88, 0x80, 0x80, 0x80],
        [0xFE], [0xFF],
        [0x80],  // lone continuation
        [0xBF],
        [0xC2],  // truncated before the quote
        [0xE2, 0x82],
        [0xF0, 0x9F, 0x98],
        [0xC2, 0x41],  // continuation missing
        [0xE2, 0x41, 0x82],
        [0xE2, 0x82, 0xC0],
    ] as [[UInt8]])
    func invalidUTF8IsRejected(sequence: [UInt8]) {
        let body: [UInt8] = [0x22, UInt8(ascii: "x")] + sequence + [0x22]
        #expect(error(body) == JSONValidationError(message: "invalid UTF-8 at byte 2", byteOffset: 2))
    }

    @Test func truncatedUTF8AtEndOfInputIsRejected() {
        #expect(error([0x22, 0xE2, 0x82]) != nil)
        #expect(error([0x22, 0xF0]) != nil)
        #expect(error([0xC3, 0xA9]) != nil, "non-ASCII outside a string")
        #expect(error([0xEF, 0xBB, 0xBF, 0x31]) != nil, "byte order mark")
    }

    @Test(arguments: [
        "01", "-01", "00", "+1", ".5", "1.", "1.e5", "1e", "1e+", "1E-", "-", "--1", "-a", "0x10", "1_000",
        "NaN", "Infinity", "-Infinity", "nan", "[01]", "[1.]", "{\"a\":.5}", "1.5.5", "1e5e5", "- 1", "1 .5",
    ])
    func malformedNumbersAreRejected(body: String) {
        #expect(error(body) != nil)
    }

    @Test func numberMessages() {
        #expect(error("[01]") == JSONValidationError(message: "leading zero in number at byte 1", byteOffset: 1))
        #expect(error("1.") == JSONValidationError(message: "unexpected end of input at byte 2", byteOffset: 2))
        #expect(error("1.x") == JSONValidationError(message: "expected a digit but found character 'x' at byte 2", byteOffset: 2))
        #expect(error("+1") == JSONValidationError(message: "unexpected character '+' at byte 0", byteOffset: 0))
    }

    @Test(arguments: [
        "'a'", "{'a':1}", #"{"a":'b'}"#, "[1,]", #"{"a":1,}"#, "[,1]", "[1,,2]", "[,]", "{,}",
        "// c\n1", "/* c */ 1", "[1 /* c */]", "1 // c", "# c\n1", "{a:1}", #"{"a" 1}"#, #"{"a":}"#,
        #"{"a":1 "b":2}"#, "[1 2]", "{1:2}", "{null:1}", #"{"a"}"#, "tru", "nul", "True", "nulll", "fals",
        "[}", "{]", "[1}", #"{"a":1]"#, "[1", #"{"a":1"#, "{", "[", "[[]", "]", "}", ":", ",", "undefined",
        "\u{FEFF}1", "[\u{00A0}1]", "\u{0B}1", "\u{0C}1",
    ])
    func nonJSONIsRejected(body: String) {
        #expect(error(body) != nil)
    }

    @Test func structuralMessages() {
        #expect(error("[1 2]") == JSONValidationError(message: "expected ',' or ']' but found character '2' at byte 3", byteOffset: 3))
        #expect(error(#"{"a":1]"#) == JSONValidationError(message: "expected ',' or '}' but found character ']' at byte 6", byteOffset: 6))
        #expect(error("{a:1}") == JSONValidationError(message: "expected a string key but found character 'a' at byte 1", byteOffset: 1))
        #expect(error(#"{"a" 1}"#) == JSONValidationError(message: "expected ':' but found character '1' at byte 5", byteOffset: 5))
        #expect(error("[1,]") == JSONValidationError(message: "unexpected character ']' at byte 3", byteOffset: 3))
        #expect(error("[1") == JSONValidationError(message: "unexpected end of input at byte 2", byteOffset: 2))
        #expect(error("x") == JSONValidationError(message: "unexpected character 'x' at byte 0", byteOffset: 0))
        #expect(error([0x01]) == JSONValidationError(message: "unexpected byte 0x01 at byte 0", byteOffset: 0))
    }
}
