import NIOCore

/// One Server-Sent Event: its type and its `data:` lines joined with `\n`.
struct SSEEvent: Sendable {
    var type: String
    var data: ByteBuffer
}

/// Incremental Server-Sent Events parsing by the WHATWG rules browsers use: lines end at CR, LF or CRLF
/// (also when split across network reads), `:` starts a comment, one space after the field colon is
/// dropped, and a blank line dispatches the event. Unknown fields (`id`, `retry`) are ignored.
struct SSEEventParser {
    private var line: [UInt8] = []
    private var afterCR = false
    private var atStart = true
    private var eventType = ""
    private var data = ByteBuffer()
    private var dataLines = 0

    /// Feeds the next bytes of the response body and returns the events they complete.
    mutating func feed(_ buffer: ByteBuffer) -> [SSEEvent] {
        var events: [SSEEvent] = []
        buffer.withUnsafeReadableBytes { bytes in
            var start = 0
            var index = 0
            if atStart, !bytes.isEmpty {
                atStart = false
                if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { start = 3; index = 3 }
            }
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\n") && afterCR {
                    // The LF of a CRLF whose CR already ended the line.
                    afterCR = false
                    index += 1
                    start = index
                    continue
                }
                afterCR = false
                if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                    line.append(contentsOf: bytes[start..<index])
                    if let event = endLine() { events.append(event) }
                    line.removeAll(keepingCapacity: true)
                    afterCR = byte == UInt8(ascii: "\r")
                    index += 1
                    start = index
                    continue
                }
                index += 1
            }
            line.append(contentsOf: bytes[start..<bytes.count])
        }
        return events
    }

    private mutating func endLine() -> SSEEvent? {
        if line.isEmpty { return dispatch() }
        if line[0] == UInt8(ascii: ":") { return nil }
        let colon = line.firstIndex(of: UInt8(ascii: ":")) ?? line.endIndex
        let field = line[..<colon]
        var valueStart = colon == line.endIndex ? colon : colon + 1
        if valueStart < line.endIndex && line[valueStart] == UInt8(ascii: " ") { valueStart += 1 }
        let value = line[valueStart...]
        if field.elementsEqual("data".utf8) {
            if dataLines > 0 { data.writeInteger(UInt8(ascii: "\n")) }
            data.writeBytes(value)
            dataLines += 1
        } else if field.elementsEqual("event".utf8) {
            eventType = String(decoding: value, as: UTF8.self)
        }
        return nil
    }

    private mutating func dispatch() -> SSEEvent? {
        defer {
            eventType = ""
            data = ByteBuffer()
            dataLines = 0
        }
        guard dataLines > 0 else { return nil }
        return SSEEvent(type: eventType.isEmpty ? "message" : eventType, data: data)
    }
}
