import NIOCore
import NIOHTTP1

/// Serialises HTTP/1.x response heads straight into a byte buffer.
///
/// The server writes each response itself, as one buffer holding the status line, the headers and (when small)
/// the body, instead of passing head, body parts and end through NIO's pipelining handler and response encoder.
/// In the append profile those two handlers, the `HTTPHeaders` edits made to frame the response and the three
/// writes per response were about a fifth of the server's CPU.
struct ResponseHeadWriter {
    /// The headers every response carries (security headers and CORS), serialised once.
    let commonHeaders: ByteBuffer

    /// How the body of a response is delimited, i.e. which framing headers the head carries.
    enum Framing: Equatable {
        /// `Content-Length: n`.
        case length(Int)
        /// No body and no length header: `1xx`, `204` and `304` responses.
        case none
        /// `Transfer-Encoding: chunked` (an HTTP/1.1 event stream).
        case chunked
        /// The body runs until the connection closes (an HTTP/1.0 event stream).
        case untilClose
    }

    init(commonHeaders headers: HTTPHeaders) {
        var block = ByteBuffer()
        for (name, value) in headers { Self.writeHeader(name, value, into: &block) }
        commonHeaders = block
    }

    /// Writes the status line, an append's or a read's header fields, `headers` (less any framing headers they
    /// carry: the transport decides those), the common headers unless `headers` already hold them, the request id,
    /// the framing header and `Connection: close` when the connection ends after this response, and the blank line.
    func write(
        version: HTTPVersion,
        status: HTTPResponseStatus,
        headers: HTTPHeaders,
        fields: ResponseFields? = nil,
        includesCommonHeaders: Bool,
        requestID: RequestID?,
        framing: Framing,
        keepAlive: Bool,
        into buffer: inout ByteBuffer
    ) {
        let reason = status.reasonPhrase
        // Status line, request id, framing, `Connection: close` and the blank line fit in 320 bytes with room to spare.
        var maximumBytes = 320 + reason.utf8.count + RequestID.maxWrittenBytes + (fields?.maxWrittenBytes ?? 0)
        for (name, value) in headers { maximumBytes += name.utf8.count + value.utf8.count + 4 }
        if !includesCommonHeaders { maximumBytes += commonHeaders.readableBytes }
        buffer.writeHead(maximumBytes: maximumBytes) { head in
            Self.writeStatusLine(version: version, code: status.code, reason: reason, into: &head)
            fields?.write(into: &head)
            for (name, value) in headers where !Self.isFramingHeader(name) {
                head.appendHeader(name, value)
            }
            if !includesCommonHeaders { head.append(commonHeaders) }
            if let requestID {
                head.append(RequestObservation.requestIDHeader)
                head.append(": ")
                requestID.write(into: &head)
                head.append("\r\n")
            }
            switch framing {
            case .length(let length):
                head.append("Content-Length: ")
                head.appendDecimal(length)
                head.append("\r\n")
            case .chunked:
                head.append("Transfer-Encoding: chunked\r\n")
            case .none, .untilClose:
                break
            }
            if !keepAlive { head.append("Connection: close\r\n") }
            head.append("\r\n")
        }
    }

    /// `HTTP/1.1 100 Continue` and its blank line.
    static func writeContinue(version: HTTPVersion, into buffer: inout ByteBuffer) {
        buffer.writeHead(maximumBytes: 64) { head in
            writeStatusLine(version: version, code: 100, reason: "Continue", into: &head)
            head.append("\r\n")
        }
    }

    private static func writeStatusLine(version: HTTPVersion, code: UInt, reason: String, into head: inout HeadBytes) {
        if version.major == 1 && version.minor == 1 {
            head.append("HTTP/1.1 ")
        } else {
            head.append("HTTP/")
            head.appendDecimal(Int(version.major))
            head.append(byte: UInt8(ascii: "."))
            head.appendDecimal(Int(version.minor))
            head.append(byte: UInt8(ascii: " "))
        }
        head.appendDecimal(code)
        head.append(byte: UInt8(ascii: " "))
        head.append(reason)
        head.append("\r\n")
    }

    static func writeHeader(_ name: String, _ value: String, into buffer: inout ByteBuffer) {
        buffer.writeString(name)
        buffer.writeStaticString(": ")
        buffer.writeString(value)
        buffer.writeStaticString("\r\n")
    }

    /// An unsigned integer in lowercase hexadecimal, without formatting a `String`.
    static func writeHexadecimal(_ value: UInt64, into buffer: inout ByteBuffer) {
        buffer.writeHead(maximumBytes: 16) { $0.appendHexadecimal(value) }
    }

    /// `Content-Length`, `Transfer-Encoding` and `Connection`, in any case: set by the transport alone.
    static func isFramingHeader(_ name: String) -> Bool {
        switch name.utf8.count {
        case 10: return name.utf8.elementsEqual("connection".utf8, by: asciiCaseInsensitive)
        case 14: return name.utf8.elementsEqual("content-length".utf8, by: asciiCaseInsensitive)
        case 17: return name.utf8.elementsEqual("transfer-encoding".utf8, by: asciiCaseInsensitive)
        default: return false
        }
    }

    private static func asciiCaseInsensitive(_ byte: UInt8, _ lowercase: UInt8) -> Bool {
        byte | 0x20 == lowercase
    }
}
