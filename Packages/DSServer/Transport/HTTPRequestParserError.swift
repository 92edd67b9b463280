import NIOHTTP1

/// Why ``HTTPRequestParser`` refused a request. Each case maps to one response status (``status``); the
/// connection is answered with it and closed, since after a framing error nothing later on it can be trusted.
enum HTTPRequestParserError: Error, Equatable, CustomStringConvertible {
    /// The request line is not `method SP request-target SP HTTP-version`.
    case invalidRequestLine
    /// The version is not exactly `HTTP/1.1` or `HTTP/1.0`.
    case unsupportedVersion
    /// A line of the head, a chunk-size line or a trailer line ends in a bare LF (or a CR not followed by LF).
    case bareLineFeed
    /// A field name is not a token, is empty, or is followed by whitespace before its colon.
    case invalidFieldName
    /// A field line starts with whitespace (obsolete line folding).
    case obsoleteLineFolding
    /// A field value holds a control byte other than HT (CR, LF, NUL, DEL, …).
    case invalidFieldValue
    /// `Content-Length` is not a list of digits only, or has too many digits.
    case invalidContentLength
    /// Several `Content-Length` values that differ.
    case conflictingContentLength
    /// Both `Transfer-Encoding` and `Content-Length`: the classic request-smuggling shape.
    case contentLengthWithTransferEncoding
    /// `Transfer-Encoding` in an HTTP/1.0 request, whose framing it cannot have.
    case transferEncodingInHTTP10
    /// A transfer coding other than one `chunked`.
    case unsupportedTransferCoding
    /// A chunk-size line that is not a bounded hexadecimal number with optional extensions.
    case invalidChunkSize
    /// Chunk data not followed by CRLF.
    case missingChunkTerminator
    /// The request line is longer than the parser buffers.
    case requestLineTooLong
    /// The head (request line and fields) or the trailer section is larger than allowed.
    case headTooLarge
    /// More header (or trailer) fields than allowed.
    case tooManyFields

    /// The status the server answers with.
    var status: HTTPResponseStatus {
        switch self {
        case .headTooLarge, .tooManyFields: .requestHeaderFieldsTooLarge
        case .requestLineTooLong: .uriTooLong
        case .unsupportedTransferCoding: .notImplemented
        default: .badRequest
        }
    }

    var description: String {
        switch self {
        case .invalidRequestLine: "malformed request line"
        case .unsupportedVersion: "HTTP version must be HTTP/1.1 or HTTP/1.0"
        case .bareLineFeed: "lines must end in CRLF"
        case .invalidFieldName: "malformed header field name"
        case .obsoleteLineFolding: "folded header field lines are not accepted"
        case .invalidFieldValue: "control character in a header field value"
        case .invalidContentLength: "malformed Content-Length"
        case .conflictingContentLength: "conflicting Content-Length values"
        case .contentLengthWithTransferEncoding: "Content-Length together with Transfer-Encoding"
        case .transferEncodingInHTTP10: "Transfer-Encoding in an HTTP/1.0 request"
        case .unsupportedTransferCoding: "only Transfer-Encoding: chunked is supported"
        case .invalidChunkSize: "malformed chunk size line"
        case .missingChunkTerminator: "chunk data not followed by CRLF"
        case .requestLineTooLong: "request line too long"
        case .headTooLarge: "request header fields too large"
        case .tooManyFields: "too many request header fields"
        }
    }
}
