import NIOCore
import NIOHTTP1

/// An incremental, strict HTTP/1.1 request parser (RFC 9112) for the server's connections: fed bytes as they
/// arrive (``feed(_:)``), it yields each request's head, its body as slices of those bytes, and its end, in order
/// (``next()``), or the first error, after which it yields nothing more.
///
/// Strict, because a lenient parser behind a proxy is a request-smuggling hole: every line of the head, every
/// chunk-size line and every trailer line ends in CRLF; field names are tokens directly followed by `:`; field
/// values hold no control bytes but HT; a body is framed by one `Content-Length` (repeats must agree) or by
/// `Transfer-Encoding: chunked`, never both. See ``HTTPRequestParserError`` for each refusal and its status.
///
/// Linear in the bytes however they are split: the search for a line's end resumes where the previous feed
/// left it, and only the unfinished line is kept between feeds, bounded by the limits. Strings are made only
/// for the target and for each field's name and value.
struct HTTPRequestParser {
    /// Bounds on what the parser buffers and accepts.
    struct Limits: Sendable {
        /// The most bytes in a head, from the request line through the empty line ending it (CRLFs included);
        /// also the bound on a chunked body's trailer section.
        var maxHeadBytes: Int
        /// The most fields in a head (and in a trailer section).
        var maxFields: Int
        /// The longest request line, CRLF included.
        var maxRequestLineBytes: Int

        init(maxHeadBytes: Int, maxFields: Int, maxRequestLineBytes: Int) {
            self.maxHeadBytes = maxHeadBytes
            self.maxFields = maxFields
            self.maxRequestLineBytes = maxRequestLineBytes
        }

        /// The server's limits; the request line may be a little longer than the longest target, so that
        /// ``HTTPChannelHandler`` sees a target slightly over its bound and answers 414 with the request logged.
        init(_ limits: ServerLimits) {
            self.init(
                maxHeadBytes: limits.maxHeaderBytes,
                maxFields: limits.maxHeaderFields,
                maxRequestLineBytes: limits.maxURIBytes > Int.max - 256 ? Int.max : limits.maxURIBytes + 256
            )
        }
    }

    /// The longest chunk-size line (size and extensions), CRLF included.
    static let maxChunkLineBytes = 4096
    /// The most hexadecimal digits in a chunk size (15 cannot overflow `Int`).
    static let maxChunkSizeDigits = 15
    /// The most decimal digits in a `Content-Length` (18 cannot overflow `Int`).
    static let maxContentLengthDigits = 18

    enum State: Equatable {
        case head
        case body(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers
        case end
        case failed
    }

    let limits: Limits
    /// Received bytes not yet consumed: at most an unfinished line between calls to ``next()``.
    var buffer: ByteBuffer?
    var state = State.head
    /// How many bytes of the unfinished line at the buffer's reader index were already searched for its LF.
    var scanned = 0

    // The head being read.
    var headBytes = 0
    var sawRequestLine = false
    var method = HTTPMethod.GET
    var target = ""
    var version = HTTPVersion.http1_1
    var fields: [(String, String)] = []
    var fieldCount = 0
    var contentLength: Int?
    var transferEncodings = 0
    var chunkedOnly = true
    /// The previous head's field count: the next head's fields are pre-sized to it.
    var expectedFields = 8

    init(limits: Limits) {
        self.limits = limits
    }

    /// Adds bytes received from the peer. Nothing is parsed until ``next()``.
    mutating func feed(_ bytes: ByteBuffer) {
        guard state != .failed, bytes.readableBytes > 0 else { return }
        guard buffer != nil else {
            buffer = bytes
            return
        }
        // What is left is an unfinished line (bounded by the limits): move it to the front before appending.
        if buffer!.readerIndex > 0 { buffer!.discardReadBytes() }
        buffer!.writeImmutableBuffer(bytes)
    }

    /// The next part of a request, `nil` when more bytes are needed, or the error that ends the connection.
    /// After an error it returns `nil` for good.
    mutating func next() throws(HTTPRequestParserError) -> HTTPServerRequestPart? {
        do {
            return try step()
        } catch {
            state = .failed
            buffer = nil
            throw error
        }
    }

    private mutating func step() throws(HTTPRequestParserError) -> HTTPServerRequestPart? {
        while true {
            switch state {
            case .failed:
                return nil
            case .end:
                state = .head
                return .end(nil)
            case .head:
                return try readHead().map { .head($0) }
            case .body(let remaining):
                guard let slice = readBody(upTo: remaining) else { return nil }
                let left = remaining - slice.readableBytes
                state = left == 0 ? .end : .body(remaining: left)
                return .body(slice)
            case .chunkData(let remaining):
                guard let slice = readBody(upTo: remaining) else { return nil }
                let left = remaining - slice.readableBytes
                state = left == 0 ? .chunkDataEnd : .chunkData(remaining: left)
                return .body(slice)
            case .chunkSize:
                guard let size = try readChunkSize() else { return nil }
                state = size == 0 ? .trailers : .chunkData(remaining: size)
            case .chunkDataEnd:
                guard try readChunkTerminator() else { return nil }
                state = .chunkSize
            case .trailers:
                guard try readTrailers() else { return nil }
                state = .head
                return .end(nil)
            }
        }
    }

    /// The sections made of CRLF-ended lines up to an empty one.
    enum LineSection {
        case head
        case trailers
    }

    /// Takes the complete lines of `section` that are buffered, resuming the search for a line's end where the
    /// previous call left it (so a section arriving a byte at a time costs linear time), and keeps only the
    /// unfinished line. `true` once the section's empty line has arrived.
    mutating func readLines(of section: LineSection) throws(HTTPRequestParserError) -> Bool {
        guard let input = buffer else { return false }
        let from = scanned
        let scan = input.withUnsafeReadableBytes { bytes in
            Result(catching: { () throws(HTTPRequestParserError) in
                switch section {
                case .head: try self.scanHead(bytes, from: from)
                case .trailers: try self.scanTrailers(bytes, from: from)
                }
            })
        }
        let (used, complete) = try scan.get()
        if used > 0 { consume(used) }
        if !complete { scanned = buffer?.readableBytes ?? 0 }
        return complete
    }

    /// A slice of up to `limit` buffered body bytes, or `nil` when none are buffered.
    private mutating func readBody(upTo limit: Int) -> ByteBuffer? {
        guard let available = buffer?.readableBytes, available > 0 else { return nil }
        let slice = buffer!.readSlice(length: min(available, limit))
        consumed()
        return slice
    }

    /// Advances past `count` bytes; lets go of the buffer once everything in it is consumed, so the channel can
    /// reuse its storage.
    mutating func consume(_ count: Int) {
        buffer!.moveReaderIndex(forwardBy: count)
        consumed()
    }

    private mutating func consumed() {
        scanned = 0
        if buffer!.readableBytes == 0 { buffer = nil }
    }
}
