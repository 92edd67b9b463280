import NIOCore

/// An incremental Server-Sent Events parser: feeds arbitrary body chunks, reports whole events.
struct SSEParser {
    private var pending = ByteBuffer()
    private var eventType = ByteBuffer()
    private var data = ByteBuffer()
    private var hasData = false

    /// Parses what `chunk` completes; `onEvent(type, data)` runs for each event (data lines joined by `\n`).
    mutating func feed(_ chunk: ByteBuffer, _ onEvent: (ByteBuffer, ByteBuffer) -> Void) {
        pending.writeImmutableBuffer(chunk)
        while let newline = pending.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
            var line = pending.readSlice(length: newline - pending.readerIndex)!
            pending.moveReaderIndex(forwardBy: 1)
            if line.readableBytesView.last == UInt8(ascii: "\r") { line.moveWriterIndex(to: line.writerIndex - 1) }
            if line.readableBytes == 0 {
                if hasData || eventType.readableBytes > 0 { onEvent(eventType, data) }
                eventType.clear()
                data.clear()
                hasData = false
            } else if Self.take(prefix: "data:", from: &line) {
                if hasData { data.writeInteger(UInt8(ascii: "\n")) }
                data.writeBuffer(&line)
                hasData = true
            } else if Self.take(prefix: "event:", from: &line) {
                eventType.clear()
                eventType.writeBuffer(&line)
            }
        }
        if pending.readerIndex > 64 * 1024 || pending.readableBytes == 0 { pending.discardReadBytes() }
    }

    /// Drops `prefix` and one optional space; false (and `line` untouched) when `line` does not start with it.
    private static func take(prefix: StaticString, from line: inout ByteBuffer) -> Bool {
        let count = prefix.utf8CodeUnitCount
        guard line.readableBytes >= count else { return false }
        let matches = prefix.withUTF8Buffer { expected in
            line.readableBytesView.prefix(count).elementsEqual(expected)
        }
        guard matches else { return false }
        line.moveReaderIndex(forwardBy: count)
        if line.readableBytesView.first == UInt8(ascii: " ") { line.moveReaderIndex(forwardBy: 1) }
        return true
    }

    /// The string value of `"key":"value"` in a flat JSON object, without a JSON parser.
    static func jsonString(_ key: String, in object: ByteBuffer) -> String? {
        let needle = Array("\"\(key)\":\"".utf8)
        let bytes = object.readableBytesView
        guard bytes.count >= needle.count else { return nil }
        var index = bytes.startIndex
        while index + needle.count <= bytes.endIndex {
            if bytes[index..<(index + needle.count)].elementsEqual(needle) {
                let start = index + needle.count
                guard let end = bytes[start...].firstIndex(of: UInt8(ascii: "\"")) else { return nil }
                return String(decoding: bytes[start..<end], as: UTF8.self)
            }
            index += 1
        }
        return nil
    }
}
