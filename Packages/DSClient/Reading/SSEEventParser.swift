import Foundation
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
            guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
            let count = bytes.count
            var start = 0
            if atStart {
                atStart = false
                if count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { start = 3 }
            }
            if afterCR, start < count, bytes[start] == UInt8(ascii: "\n") {
                start += 1  // the LF of a CRLF whose CR ended the previous read
            }
            afterCR = false
            // memchr finds the next CR and LF; each is searched again only once passed.
            var nextLF = Self.find(UInt8(ascii: "\n"), in: base, from: start, count: count)
            var nextCR = Self.find(UInt8(ascii: "\r"), in: base, from: start, count: count)
            while start < count {
                if nextLF < start { nextLF = Self.find(UInt8(ascii: "\n"), in: base, from: start, count: count) }
                if nextCR < start { nextCR = Self.find(UInt8(ascii: "\r"), in: base, from: start, count: count) }
                let end = min(nextLF, nextCR)
                guard end < count else {
                    line.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<count]))
                    return
                }
                line.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
                if let event = endLine() { events.append(event) }
                line.removeAll(keepingCapacity: true)
                start = end + 1
                if bytes[end] == UInt8(ascii: "\r") {
                    if start < count {
                        if bytes[start] == UInt8(ascii: "\n") { start += 1 }
                    } else {
                        afterCR = true
                    }
                }
            }
        }
        return events
    }

    /// The index of the first `byte` at or after `from`, or `count` when there is none.
    private static func find(_ byte: UInt8, in base: UnsafeRawPointer, from: Int, count: Int) -> Int {
        guard from < count, let found = memchr(base + from, Int32(byte), count - from) else { return count }
        return base.distance(to: UnsafeRawPointer(found))
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
