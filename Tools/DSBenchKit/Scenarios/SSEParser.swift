import NIOCore

/// An incremental Server-Sent Events parser: feeds arbitrary body chunks, reports whole events.
///
/// It runs once per event per reader (1,000 readers, 100,000 events a second at the fastest interval), on
/// the same two cores as the server it measures, so it copies nothing in the common case: lines are slices
/// of the received chunk, and only an incomplete last line is carried over to the next chunk.
struct SSEParser {
    /// An incomplete line carried over from the previous chunk.
    private var carried: ByteBuffer?
    private var eventType: ByteBuffer?
    private var data: ByteBuffer?

    /// Parses what `chunk` completes; `onEvent(type, data)` runs for each event (data lines joined by `\n`).
    mutating func feed(_ chunk: ByteBuffer, _ onEvent: (ByteBuffer, ByteBuffer) -> Void) {
        var input: ByteBuffer
        if var carried {
            self.carried = nil
            carried.writeImmutableBuffer(chunk)
            input = carried
        } else {
            input = chunk
        }
        while let length = Self.lineLength(input) {
            var line = input.readSlice(length: length)!
            input.moveReaderIndex(forwardBy: 1)
            if line.readableBytesView.last == UInt8(ascii: "\r") { line.moveWriterIndex(to: line.writerIndex - 1) }
            if line.readableBytes == 0 {
                if data != nil || (eventType?.readableBytes ?? 0) > 0 { onEvent(eventType ?? ByteBuffer(), data ?? ByteBuffer()) }
                eventType = nil
                data = nil
            } else if Self.take(prefix: "data:", from: &line) {
                if data == nil {
                    data = line
                } else {
                    data!.writeInteger(UInt8(ascii: "\n"))
                    data!.writeBuffer(&line)
                }
            } else if Self.take(prefix: "event:", from: &line) {
                eventType = line
            }
        }
        // Copies, so the connection's receive buffer is not held until the line or the event completes (the
        // unfinished line with room for the rest of it).
        if input.readableBytes > 0 { carried = Self.copy(input, room: input.readableBytes) }
        if let open = eventType { eventType = Self.copy(open) }
        if let open = data { data = Self.copy(open) }
    }

    private static func copy(_ buffer: ByteBuffer, room: Int = 0) -> ByteBuffer {
        var copy = ByteBuffer()
        copy.reserveCapacity(buffer.readableBytes + room)
        copy.writeImmutableBuffer(buffer)
        return copy
    }

    /// The length of the first line in `buffer` (up to its `\n`), or nil when no line is complete.
    private static func lineLength(_ buffer: ByteBuffer) -> Int? {
        buffer.withUnsafeReadableBytes { bytes in bytes.firstIndex(of: UInt8(ascii: "\n")) }
    }

    /// Drops `prefix` and one optional space; false (and `line` untouched) when `line` does not start with it.
    private static func take(prefix: StaticString, from line: inout ByteBuffer) -> Bool {
        let count = prefix.utf8CodeUnitCount
        guard line.readableBytes >= count else { return false }
        let matches = prefix.withUTF8Buffer { expected in
            line.withUnsafeReadableBytes { bytes in bytes.prefix(count).elementsEqual(expected) }
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
