@testable import DSServer
import DSTestSupport
import NIOCore
import NIOHTTP1
import Testing

/// The request parser fed bytes directly: every strictness rule, every limit at its bound and one over, and the
/// same parts however the bytes are split.
struct HTTPRequestParserTests {
    // MARK: - Well-formed requests

    @Test func aRequestWithoutBodyIsHeadThenEnd() throws {
        let (parts, error) = Self.parse("GET /v1/stream/a?offset=-1 HTTP/1.1\r\nHost: example\r\nAccept:  */*  \r\n\r\n").pair
        #expect(error == nil)
        #expect(parts == [.head("GET", "/v1/stream/a?offset=-1", .http1_1, ["Host: example", "Accept: */*"]), .end])
    }

    @Test func aContentLengthBodyIsASliceOfTheInput() throws {
        var parser = HTTPRequestParser(limits: Self.limits)
        parser.feed(ByteBuffer(string: "POST /s HTTP/1.1\r\nContent-Length: 5\r\n\r\nhelloGET"))
        guard case .head(let head) = try parser.next() else { Issue.record("no head"); return }
        #expect(head.method == .POST)
        #expect(head.headers["Content-Length"] == ["5"])
        guard case .body(let body) = try parser.next() else { Issue.record("no body"); return }
        #expect(String(buffer: body) == "hello")
        guard case .end(nil) = try parser.next() else { Issue.record("no end"); return }
        #expect(try parser.next() == nil)
    }

    @Test func aZeroContentLengthHasNoBody() {
        let (parts, error) = Self.parse("PUT /s HTTP/1.1\r\nContent-Length: 0\r\n\r\n").pair
        #expect(error == nil)
        #expect(parts == [.head("PUT", "/s", .http1_1, ["Content-Length: 0"]), .end])
    }

    @Test func pipelinedRequestsInOneBufferComeOutInOrder() {
        let (parts, error) = Self.parse(Self.pipelined).pair
        #expect(error == nil)
        #expect(parts == [
            .head("POST", "/a", .http1_1, ["Host: x", "Content-Length: 3"]), .body(Array("abc".utf8)), .end,
            .head("POST", "/b", .http1_1, ["Host: x", "Transfer-Encoding: chunked"]), .body(Array("hello world".utf8)), .end,
            .head("GET", "/c", .http1_0, []), .end,
        ])
    }

    @Test func chunkedBodiesSkipExtensionsAndDropTrailers() {
        let request = "POST /s HTTP/1.1\r\nTransfer-Encoding: Chunked\r\n\r\n"
            + "5;name=value;quoted=\"a b\"\r\nhello\r\n"
            + "6 ; x\r\n world\r\n"
            + "A\r\n0123456789\r\n"
            + "0;last\r\nTrailer-One: 1\r\nTrailer-Two:\t2\t\r\n\r\n"
        let (parts, error) = Self.parse(request).pair
        #expect(error == nil)
        #expect(parts == [.head("POST", "/s", .http1_1, ["Transfer-Encoding: Chunked"]), .body(Array("hello world0123456789".utf8)), .end])
    }

    @Test func emptyLinesBeforeTheRequestLineAreIgnored() {
        let (parts, error) = Self.parse("\r\n\r\nGET / HTTP/1.1\r\n\r\n").pair
        #expect(error == nil)
        #expect(parts == [.head("GET", "/", .http1_1, []), .end])
    }

    @Test func valuesKeepInnerWhitespaceAndObsText() {
        let (parts, error) = Self.parse(Array("GET / HTTP/1.1\r\nX-A: \t one \t two \t\r\nX-B:\r\nX-C: ".utf8) + [0xC3, 0xA9] + Array("\r\n\r\n".utf8)).pair
        #expect(error == nil)
        #expect(parts == [.head("GET", "/", .http1_1, ["X-A: one \t two", "X-B: ", "X-C: é"]), .end])
    }

    @Test func methodsMapToNIOsCases() throws {
        for (text, method) in [("GET", HTTPMethod.GET), ("PUT", .PUT), ("POST", .POST), ("HEAD", .HEAD), ("PATCH", .PATCH),
                               ("DELETE", .DELETE), ("OPTIONS", .OPTIONS), ("MKCOL", .MKCOL), ("BREW", .RAW(value: "BREW")), ("get", .RAW(value: "get"))] {
            var parser = HTTPRequestParser(limits: Self.limits)
            parser.feed(ByteBuffer(string: "\(text) / HTTP/1.1\r\n\r\n"))
            guard case .head(let head) = try parser.next() else { Issue.record("no head for \(text)"); continue }
            #expect(head.method == method)
        }
    }

    @Test func keepAliveFollowsVersionAndConnection() throws {
        for (request, keepAlive) in [
            ("GET / HTTP/1.1\r\n\r\n", true),
            ("GET / HTTP/1.1\r\nConnection: close\r\n\r\n", false),
            ("GET / HTTP/1.1\r\nConnection: Keep-Alive, Upgrade\r\n\r\n", true),
            ("GET / HTTP/1.0\r\n\r\n", false),
            ("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", true),
        ] {
            var parser = HTTPRequestParser(limits: Self.limits)
            parser.feed(ByteBuffer(string: request))
            guard case .head(let head) = try parser.next() else { Issue.record("no head"); continue }
            #expect(head.isKeepAlive == keepAlive, "\(request.debugDescription)")
        }
    }

    // MARK: - Splitting

    /// Requests (and refusals) that must come out the same however their bytes are split.
    static let splitSamples: [String] = [
        pipelined,
        "POST /s HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3;a=b\r\nabc\r\n0\r\nT: 1\r\n\r\nGET / HTTP/1.1\r\n\r\n",
        "\r\nPUT /x HTTP/1.1\r\nContent-Length: 2, 2\r\nContent-Length: 2\r\n\r\nokDELETE /x HTTP/1.1\r\n\r\n",
        "POST /s HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "POST /s HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n",
        "GET / HTTP/1.1\r\nFolded: a\r\n b\r\n\r\n",
        "GET / HTTP/1.1\nHost: x\r\n\r\n",
    ]

    @Test(arguments: splitSamples)
    func everySplitGivesTheSameParts(request: String) {
        let bytes = Array(request.utf8)
        let whole = Self.parse([bytes])
        #expect(Self.parse(bytes.map { [$0] }) == whole, "one byte at a time")
        for cut in 1..<bytes.count {
            #expect(Self.parse([Array(bytes[..<cut]), Array(bytes[cut...])]) == whole, "split at \(cut)")
        }
        var random = SeededGenerator(seed: UInt64(bytes.count))
        for _ in 0..<200 {
            var pieces: [[UInt8]] = []
            var start = 0
            while start < bytes.count {
                let length = Int.random(in: 1...12, using: &random)
                pieces.append(Array(bytes[start..<min(start + length, bytes.count)]))
                start += length
            }
            #expect(Self.parse(pieces) == whole, "pieces \(pieces.map(\.count))")
        }
    }

    /// Only the unfinished line is kept between feeds, and all of it has been searched for its end already, so a
    /// head sent byte by byte is scanned once (linear time) rather than again at each byte.
    @Test func theSearchForALineEndResumesWhereItStopped() throws {
        var parser = HTTPRequestParser(limits: Self.limits)
        parser.feed(ByteBuffer(string: "GET / HTTP/1.1\r\nX-Slow: "))
        #expect(try parser.next() == nil)
        for count in 1...100 {
            parser.feed(ByteBuffer(string: "a"))
            #expect(try parser.next() == nil)
            #expect(parser.buffer?.readableBytes == 8 + count)
            #expect(parser.scanned == 8 + count)
        }
        parser.feed(ByteBuffer(string: "\r\n\r\n"))
        guard case .head(let head) = try parser.next() else { Issue.record("no head"); return }
        #expect(head.headers["X-Slow"] == [String(repeating: "a", count: 100)])
        #expect(parser.scanned == 0)
    }

    // MARK: - Request line

    @Test(arguments: [
        "GET  / HTTP/1.1", " GET / HTTP/1.1", "GET", "GET /", "GE(T / HTTP/1.1", "GET\t/ HTTP/1.1",
        "GET /a\u{1}b HTTP/1.1", "GET /a\u{7F} HTTP/1.1", "GET /é HTTP/1.1", "GET /a\tb HTTP/1.1",
    ])
    func malformedRequestLinesAreRefused(line: String) {
        #expect(Self.parse("\(line)\r\n\r\n").error == .invalidRequestLine)
    }

    @Test(arguments: ["HTTP/1.2", "HTTP/2.0", "", " HTTP/1.1", "HTTP/0.9", "http/1.1", "HTTP/1.10", "HTTP/1", "HTTP/1.1 ", "HTTP/1.1\rX", "HTTP/11"])
    func onlyHTTP11And10AreAccepted(version: String) {
        #expect(Self.parse("GET / \(version)\r\n\r\n").error == .unsupportedVersion)
    }

    // MARK: - Line endings

    @Test(arguments: [
        "GET / HTTP/1.1\nHost: x\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: x\n\r\n",
        "GET / HTTP/1.1\r\nHost: x\r\n\n",
        "\nGET / HTTP/1.1\r\n\r\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\na\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nT: 1\n\r\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\n",
    ])
    func bareLineFeedsAreRefused(request: String) {
        #expect(Self.parse(request).error == .bareLineFeed)
    }

    @Test func aLoneCarriageReturnInAValueIsRefused() {
        #expect(Self.parse("GET / HTTP/1.1\r\nX: a\rb\r\n\r\n").error == .invalidFieldValue)
    }

    // MARK: - Fields

    @Test(arguments: ["Host : x", "Host\t: x", "Ho st: x", ": x", "Host x", "Hö: x", "X(y): z", "Host"])
    func malformedFieldNamesAreRefused(field: String) {
        #expect(Self.parse("GET / HTTP/1.1\r\n\(field)\r\n\r\n").error == .invalidFieldName)
    }

    @Test(arguments: [" folded", "\tfolded", " X: y"])
    func foldedLinesAreRefused(line: String) {
        #expect(Self.parse("GET / HTTP/1.1\r\nX: a\r\n\(line)\r\n\r\n").error == .obsoleteLineFolding)
        #expect(Self.parse("GET / HTTP/1.1\r\n\(line)\r\n\r\n").error == .obsoleteLineFolding)
    }

    @Test(arguments: [0x00, 0x01, 0x0B, 0x0C, 0x1F, 0x7F] as [UInt8])
    func controlBytesInValuesAreRefused(byte: UInt8) {
        let request = Array("GET / HTTP/1.1\r\nX: a".utf8) + [byte] + Array("b\r\n\r\n".utf8)
        #expect(Self.parse(request).error == .invalidFieldValue)
    }

    @Test func tokenBytesAreExactlyTheRFCsTchars() {
        let tchars = Set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8)
        for byte in UInt8.min...UInt8.max {
            #expect(HTTPSyntax.isToken(byte) == tchars.contains(byte), "byte \(byte)")
        }
    }

    // MARK: - Framing

    @Test(arguments: ["gzip", "chunked, gzip", "gzip, chunked", "identity", "chunked;q=1", "chunked, chunked", ""])
    func transferCodingsOtherThanChunkedAreNotImplemented(coding: String) {
        let (_, error) = Self.parse("POST / HTTP/1.1\r\nTransfer-Encoding: \(coding)\r\n\r\n").pair
        #expect(error == .unsupportedTransferCoding)
        #expect(error?.status == .notImplemented)
    }

    @Test func twoTransferEncodingFieldsAreNotImplemented() {
        #expect(Self.parse("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n").error == .unsupportedTransferCoding)
    }

    @Test(arguments: [
        "Content-Length: 5\r\nTransfer-Encoding: chunked",
        "Transfer-Encoding: chunked\r\nContent-Length: 5",
        "Transfer-Encoding: gzip\r\nContent-Length: 0",
    ])
    func contentLengthWithTransferEncodingIsRefused(fields: String) {
        let (parts, error) = Self.parse("POST / HTTP/1.1\r\n\(fields)\r\n\r\n0\r\n\r\n").pair
        #expect(parts.isEmpty)
        #expect(error == .contentLengthWithTransferEncoding)
        #expect(error?.status == .badRequest)
    }

    @Test func transferEncodingInHTTP10IsRefused() {
        #expect(Self.parse("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n").error == .transferEncodingInHTTP10)
    }

    @Test(arguments: ["+5", "-5", "5a", "", " ", "0x10", "5.0", "1 2", "5,,5", "5,", ",5", "1234567890123456789"])
    func malformedContentLengthsAreRefused(value: String) {
        #expect(Self.parse("POST / HTTP/1.1\r\nContent-Length: \(value)\r\n\r\n").error == .invalidContentLength)
    }

    @Test func contentLengthOfEighteenDigitsIsTakenWithoutOverflow() throws {
        var parser = HTTPRequestParser(limits: Self.limits)
        parser.feed(ByteBuffer(string: "POST / HTTP/1.1\r\nContent-Length: 999999999999999999\r\n\r\nab"))
        guard case .head = try parser.next() else { Issue.record("no head"); return }
        #expect(parser.state == .body(remaining: 999_999_999_999_999_999))
        guard case .body(let body) = try parser.next() else { Issue.record("no body"); return }
        #expect(body.readableBytes == 2)
        #expect(parser.state == .body(remaining: 999_999_999_999_999_997))
    }

    @Test func repeatedContentLengthsMustAgree() {
        #expect(Self.parse("POST / HTTP/1.1\r\nContent-Length: 2 , 2\r\nContent-Length: 02\r\n\r\nok").parts.count == 3)
        #expect(Self.parse("POST / HTTP/1.1\r\nContent-Length: 2, 3\r\n\r\nok").error == .conflictingContentLength)
        #expect(Self.parse("POST / HTTP/1.1\r\nContent-Length: 2\r\ncontent-length: 3\r\n\r\nok").error == .conflictingContentLength)
    }

    // MARK: - Chunked framing

    @Test(arguments: ["g", "", "-1", " 5", "5 ", "5\t", "5 x", "0x5", "1000000000000000"])
    func malformedChunkSizesAreRefused(size: String) {
        #expect(Self.parse("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n\(size)\r\n").error == .invalidChunkSize)
    }

    @Test func aChunkSizeOfFifteenDigitsIsTakenWithoutOverflow() throws {
        var parser = HTTPRequestParser(limits: Self.limits)
        parser.feed(ByteBuffer(string: "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffff\r\nab"))
        guard case .head = try parser.next() else { Issue.record("no head"); return }
        guard case .body(let body) = try parser.next() else { Issue.record("no body"); return }
        #expect(body.readableBytes == 2)
        #expect(parser.state == .chunkData(remaining: 0xFFF_FFFF_FFFF_FFFF - 2))
    }

    @Test func chunkExtensionsAreBoundedAndFreeOfControlBytes() {
        let prefix = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
        #expect(Self.parse(prefix + "1;a\u{1}\r\nx\r\n0\r\n\r\n").error == .invalidChunkSize)
        // The size line, CRLF included, at exactly the bound and one over.
        let longest = "1;" + String(repeating: "e", count: HTTPRequestParser.maxChunkLineBytes - 4)
        #expect(Self.parse(prefix + longest + "\r\nx\r\n0\r\n\r\n").error == nil)
        #expect(Self.parse(prefix + longest + "e\r\nx\r\n0\r\n\r\n").error == .invalidChunkSize)
        // An endless size line is refused once it passes the bound, without waiting for its end.
        #expect(Self.parse(prefix + "1;" + String(repeating: "e", count: 100_000)).error == .invalidChunkSize)
    }

    @Test(arguments: ["abcX\r\n", "abc\rX", "abc\n", "abc\r\r"])
    func chunkDataMustEndInCRLF(data: String) {
        #expect(Self.parse("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\n\(data)0\r\n\r\n").error == .missingChunkTerminator)
    }

    @Test func trailersFollowTheFieldRules() {
        let prefix = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n"
        #expect(Self.parse(prefix + "T: 1\r\n folded\r\n\r\n").error == .obsoleteLineFolding)
        #expect(Self.parse(prefix + "T : 1\r\n\r\n").error == .invalidFieldName)
        #expect(Self.parse(prefix + "T: \u{0}\r\n\r\n").error == .invalidFieldValue)
    }

    // MARK: - Limits

    @Test func theHeadIsBoundedAtExactlyItsLimit() {
        let limits = HTTPRequestParser.Limits(maxHeadBytes: 200, maxFields: 100, maxRequestLineBytes: 100)
        let exact = Self.head(totalBytes: 200)
        #expect(exact.utf8.count == 200)
        #expect(Self.parse(exact, limits: limits).error == nil)
        #expect(Self.parse(Array(exact.utf8).map { [$0] }, limits: limits).error == nil)
        let over = Self.head(totalBytes: 201)
        #expect(Self.parse(over, limits: limits).error == .headTooLarge)
        #expect(Self.parse(Array(over.utf8).map { [$0] }, limits: limits).error == .headTooLarge)
        #expect(HTTPRequestParserError.headTooLarge.status == .requestHeaderFieldsTooLarge)
    }

    @Test func anEndlessHeadIsRefusedOnceItPassesTheLimit() {
        let limits = HTTPRequestParser.Limits(maxHeadBytes: 1000, maxFields: 100, maxRequestLineBytes: 100)
        var parser = HTTPRequestParser(limits: limits)
        parser.feed(ByteBuffer(string: "GET / HTTP/1.1\r\n"))
        var fed = 16
        var refusal: HTTPRequestParserError?
        while refusal == nil && fed < 10_000 {
            parser.feed(ByteBuffer(string: "X-Long: aaaaaaaa"))
            fed += 16
            do { _ = try parser.next() } catch { refusal = error }
            #expect((parser.buffer?.readableBytes ?? 0) <= 1000)
        }
        #expect(refusal == .headTooLarge)
        #expect(fed <= 1016)
    }

    @Test func theRequestLineIsBoundedAtExactlyItsLimit() {
        let limits = HTTPRequestParser.Limits(maxHeadBytes: 1000, maxFields: 100, maxRequestLineBytes: 50)
        // "GET /" + path + " HTTP/1.1\r\n": 16 bytes around the path.
        let exact = "GET /" + String(repeating: "p", count: 34) + " HTTP/1.1\r\n\r\n"
        #expect(Self.parse(exact, limits: limits).error == nil)
        #expect(Self.parse(Array(exact.utf8).map { [$0] }, limits: limits).error == nil)
        let over = "GET /" + String(repeating: "p", count: 35) + " HTTP/1.1\r\n\r\n"
        #expect(Self.parse(over, limits: limits).error == .requestLineTooLong)
        #expect(Self.parse(Array(over.utf8).map { [$0] }, limits: limits).error == .requestLineTooLong)
        // Without a line end in sight, the parser gives up at the bound rather than buffering on.
        #expect(Self.parse("GET /" + String(repeating: "p", count: 100_000), limits: limits).error == .requestLineTooLong)
        #expect(HTTPRequestParserError.requestLineTooLong.status == .uriTooLong)
    }

    @Test func fieldsAreCountedUpToTheLimit() {
        let limits = HTTPRequestParser.Limits(maxHeadBytes: 10_000, maxFields: 5, maxRequestLineBytes: 100)
        let fields = { (count: Int) in (0..<count).map { "X-\($0): v\r\n" }.joined() }
        #expect(Self.parse("GET / HTTP/1.1\r\n\(fields(5))\r\n", limits: limits).error == nil)
        #expect(Self.parse("GET / HTTP/1.1\r\n\(fields(6))\r\n", limits: limits).error == .tooManyFields)
        let chunked = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n"
        #expect(Self.parse(chunked + fields(5) + "\r\n", limits: limits).error == nil)
        #expect(Self.parse(chunked + fields(6) + "\r\n", limits: limits).error == .tooManyFields)
        #expect(HTTPRequestParserError.tooManyFields.status == .requestHeaderFieldsTooLarge)
    }

    @Test func theTrailerSectionIsBoundedLikeAHead() {
        let limits = HTTPRequestParser.Limits(maxHeadBytes: 100, maxFields: 100, maxRequestLineBytes: 100)
        let chunked = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n"
        // "T: " + value + CRLF, then the final CRLF: 7 bytes around the value.
        #expect(Self.parse(chunked + "T: " + String(repeating: "v", count: 93) + "\r\n\r\n", limits: limits).error == nil)
        #expect(Self.parse(chunked + "T: " + String(repeating: "v", count: 94) + "\r\n\r\n", limits: limits).error == .headTooLarge)
        #expect(Self.parse(chunked + "T: " + String(repeating: "v", count: 100_000), limits: limits).error == .headTooLarge)
    }

    // MARK: - After an error

    @Test func nothingIsYieldedAfterAnError() throws {
        var parser = HTTPRequestParser(limits: Self.limits)
        parser.feed(ByteBuffer(string: "GET / HTTP/1.1\r\nBad Name: x\r\n\r\nGET / HTTP/1.1\r\n\r\n"))
        do {
            _ = try parser.next()
            Issue.record("no error")
        } catch {
            #expect(error == .invalidFieldName)
        }
        #expect(try parser.next() == nil)
        parser.feed(ByteBuffer(string: "GET / HTTP/1.1\r\n\r\n"))
        #expect(try parser.next() == nil)
        #expect(parser.buffer == nil)
    }

    // MARK: - Helpers

    static let limits = HTTPRequestParser.Limits(maxHeadBytes: 32 * 1024, maxFields: 100, maxRequestLineBytes: 8 * 1024 + 256)

    static let pipelined = "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
        + "POST /b HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
        + "GET /c HTTP/1.0\r\n\r\n"

    /// A GET head of exactly `totalBytes` bytes, padded in one field's value.
    static func head(totalBytes: Int) -> String {
        let frame = "GET / HTTP/1.1\r\nX-Pad: \r\n\r\n"
        return "GET / HTTP/1.1\r\nX-Pad: " + String(repeating: "a", count: totalBytes - frame.utf8.count) + "\r\n\r\n"
    }

    /// A request part in comparable form; consecutive body parts are merged (splits change where they break).
    enum Part: Equatable, CustomStringConvertible {
        case head(String, String, HTTPVersion, [String])
        case body([UInt8])
        case end

        var description: String {
            switch self {
            case .head(let method, let target, let version, let fields): "head(\(method) \(target) \(version) \(fields))"
            case .body(let bytes): "body(\(String(decoding: bytes, as: UTF8.self).debugDescription))"
            case .end: "end"
            }
        }
    }

    struct Outcome: Equatable {
        var parts: [Part]
        var error: HTTPRequestParserError?

        var pair: ([Part], HTTPRequestParserError?) { (parts, error) }
    }

    static func parse(_ text: String, limits: HTTPRequestParser.Limits = limits) -> Outcome {
        parse([Array(text.utf8)], limits: limits)
    }

    static func parse(_ bytes: [UInt8], limits: HTTPRequestParser.Limits = limits) -> Outcome {
        parse([bytes], limits: limits)
    }

    /// Feeds `pieces` one after another, taking every part after each.
    static func parse(_ pieces: [[UInt8]], limits: HTTPRequestParser.Limits = limits) -> Outcome {
        var parser = HTTPRequestParser(limits: limits)
        var outcome = Outcome(parts: [], error: nil)
        for piece in pieces {
            parser.feed(ByteBuffer(bytes: piece))
            do {
                while let part = try parser.next() {
                    switch part {
                    case .head(let head):
                        outcome.parts.append(.head(head.method.rawValue, head.uri, head.version, head.headers.map { "\($0.name): \($0.value)" }))
                    case .body(let buffer):
                        if case .body(let earlier) = outcome.parts.last {
                            outcome.parts[outcome.parts.count - 1] = .body(earlier + Array(buffer.readableBytesView))
                        } else {
                            outcome.parts.append(.body(Array(buffer.readableBytesView)))
                        }
                    case .end:
                        outcome.parts.append(.end)
                    }
                }
            } catch {
                outcome.error = error
                return outcome
            }
        }
        return outcome
    }
}
