import NIOCore

/// Encodes Server-Sent Events for stream reads: a `data` event followed by its `control` event,
/// built into one buffer so that both reach the client in a single write.
public enum SSEEncoder {
    /// Longest `data:` line used for base64 payloads (a multiple of 4, so every line is whole base64).
    static let base64LineLength = 16_384

    /// Appends `event: data` with `payload` (already framed: a JSON array for JSON streams) to `buffer`.
    ///
    /// - Parameter base64: encode the payload as base64 (binary streams); otherwise it is sent as text,
    ///   split into `data:` lines at every CR, LF or CRLF so no raw line break can end the event early.
    public static func writeDataEvent(_ payload: ByteBufferView, base64: Bool, into buffer: inout ByteBuffer) {
        buffer.writeStaticString("event: data\n")
        if base64 {
            writeBase64Lines(payload, into: &buffer)
        } else {
            writeTextLines(payload, into: &buffer)
        }
        buffer.writeStaticString("\n")
    }

    /// Appends `event: control` with the JSON encoding of `control`.
    public static func writeControlEvent(_ control: SSEControl, into buffer: inout ByteBuffer) {
        buffer.writeStaticString("event: control\ndata: {\"streamNextOffset\":\"")
        control.streamNextOffset.write(into: &buffer)
        buffer.writeStaticString("\"")
        if let cursor = control.streamCursor {
            buffer.writeStaticString(",\"streamCursor\":")
            writeJSONString(cursor, into: &buffer)
        }
        if control.upToDate { buffer.writeStaticString(",\"upToDate\":true") }
        if control.streamClosed { buffer.writeStaticString(",\"streamClosed\":true") }
        buffer.writeStaticString("}\n\n")
    }

    private static func writeTextLines(_ payload: ByteBufferView, into buffer: inout ByteBuffer) {
        var lineStart = payload.startIndex
        var index = payload.startIndex
        var previousWasCR = false
        while index < payload.endIndex {
            let byte = payload[index]
            if byte == UInt8(ascii: "\n") && previousWasCR {
                lineStart = index + 1  // the LF of a CRLF: the line was already written at the CR
                previousWasCR = false
            } else if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                buffer.writeStaticString("data: ")
                buffer.writeBytes(payload[lineStart..<index])
                buffer.writeStaticString("\n")
                lineStart = index + 1
                previousWasCR = byte == UInt8(ascii: "\r")
            } else {
                previousWasCR = false
            }
            index += 1
        }
        buffer.writeStaticString("data: ")
        buffer.writeBytes(payload[lineStart..<payload.endIndex])
        buffer.writeStaticString("\n")
    }

    private static func writeBase64Lines(_ payload: ByteBufferView, into buffer: inout ByteBuffer) {
        let bytesPerLine = base64LineLength / 4 * 3
        var start = payload.startIndex
        repeat {
            let end = min(start + bytesPerLine, payload.endIndex)
            buffer.writeStaticString("data: ")
            _ = payload[start..<end].withContiguousStorageIfAvailable { bytes in
                Base64.encode(UnsafeRawBufferPointer(bytes), into: &buffer)
            }
            buffer.writeStaticString("\n")
            start = end
        } while start < payload.endIndex
    }

    /// Writes `value` as a JSON string literal (cursors are server-made digits, but escape defensively).
    static func writeJSONString(_ value: String, into buffer: inout ByteBuffer) {
        buffer.writeStaticString("\"")
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): buffer.writeStaticString("\\\"")
            case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
            case 0..<0x20:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                buffer.writeStaticString("\\u00")
                buffer.writeInteger(hex[Int(byte >> 4)])
                buffer.writeInteger(hex[Int(byte & 0xF)])
            default: buffer.writeInteger(byte)
            }
        }
        buffer.writeStaticString("\"")
    }
}
