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

    /// Writes the status line, an append's or a read's header fields, `headers` (less any framing headers they carry: the
    /// transport decides those),
    /// the common headers unless `headers` already hold them, the request id, the framing header and
    /// `Connection: close` when the connection ends after this response, and the blank line.
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
        Self.writeStatusLine(version: version, status: status, into: &buffer)
        fields?.write(into: &buffer)
        for (name, value) in headers where !Self.isFramingHeader(name) {
            Self.writeHeader(name, value, into: &buffer)
        }
        if !includesCommonHeaders { buffer.writeImmutableBuffer(commonHeaders) }
        if let requestID {
            buffer.writeString(RequestObservation.requestIDHeader)
            buffer.writeStaticString(": ")
            requestID.write(into: &buffer)
            buffer.writeStaticString("\r\n")
        }
        switch framing {
        case .length(let length):
            buffer.writeStaticString("Content-Length: ")
            Self.writeDecimal(length, into: &buffer)
            buffer.writeStaticString("\r\n")
        case .chunked:
            buffer.writeStaticString("Transfer-Encoding: chunked\r\n")
        case .none, .untilClose:
            break
        }
        if !keepAlive { buffer.writeStaticString("Connection: close\r\n") }
        buffer.writeStaticString("\r\n")
    }

    /// `HTTP/1.1 100 Continue` and its blank line.
    static func writeContinue(version: HTTPVersion, into buffer: inout ByteBuffer) {
        writeStatusLine(version: version, status: .continue, into: &buffer)
        buffer.writeStaticString("\r\n")
    }

    static func writeStatusLine(version: HTTPVersion, status: HTTPResponseStatus, into buffer: inout ByteBuffer) {
        if version.major == 1 && version.minor == 1 {
            buffer.writeStaticString("HTTP/1.1 ")
        } else {
            buffer.writeStaticString("HTTP/")
            writeDecimal(Int(version.major), into: &buffer)
            buffer.writeInteger(UInt8(ascii: "."))
            writeDecimal(Int(version.minor), into: &buffer)
            buffer.writeInteger(UInt8(ascii: " "))
        }
        writeDecimal(Int(status.code), into: &buffer)
        buffer.writeInteger(UInt8(ascii: " "))
        buffer.writeString(status.reasonPhrase)
        buffer.writeStaticString("\r\n")
    }

    static func writeHeader(_ name: String, _ value: String, into buffer: inout ByteBuffer) {
        buffer.writeString(name)
        buffer.writeStaticString(": ")
        buffer.writeString(value)
        buffer.writeStaticString("\r\n")
    }

    /// A non-negative integer in decimal, without formatting a `String`.
    static func writeDecimal<Value: BinaryInteger>(_ value: Value, into buffer: inout ByteBuffer) {
        precondition(value >= 0)
        var divisor: Value = 1
        while divisor <= value / 10 { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            buffer.writeInteger(UInt8(ascii: "0") + UInt8(rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }

    /// An unsigned integer in lowercase hexadecimal, without formatting a `String`.
    static func writeHexadecimal(_ value: UInt64, into buffer: inout ByteBuffer) {
        var shift = 0
        while shift < 60 && value >> (shift + 4) > 0 { shift += 4 }
        while shift >= 0 {
            let digit = UInt8((value >> shift) & 0xF)
            buffer.writeInteger(digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "a") + digit - 10)
            shift -= 4
        }
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
