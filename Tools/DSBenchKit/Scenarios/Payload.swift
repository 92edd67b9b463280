import NIOCore

/// Request bodies used by the scenarios.
enum Payload {
    /// `count` printable bytes.
    static func bytes(_ count: Int) -> ByteBuffer {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789".utf8)
        var buffer = ByteBuffer()
        buffer.reserveCapacity(count)
        for index in 0..<count { buffer.writeInteger(alphabet[index % alphabet.count]) }
        return buffer
    }

    /// A JSON array of `count` objects of about `messageBytes` bytes each.
    static func jsonBatch(count: Int, messageBytes: Int) -> ByteBuffer {
        var text = "["
        for index in 0..<count {
            if index > 0 { text += "," }
            let head = "{\"id\":\(index),\"kind\":\"event\",\"payload\":\""
            let padding = max(0, messageBytes - head.utf8.count - 2)
            text += head + String(repeating: "x", count: padding) + "\"}"
        }
        text += "]"
        return ByteBuffer(string: text)
    }

    /// About 1 MiB of log-like text lines (compressible like real event data), for the read scenario.
    static func logLines(bytes: Int) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(bytes + 200)
        var line = 0
        let events = ["page_view", "click", "add_to_cart", "checkout", "search"]
        while buffer.readableBytes < bytes {
            buffer.writeString(
                "{\"seq\":\(line),\"event\":\"\(events[line % events.count])\",\"user\":\"u\((line &* 7919) % 100_000)\",\"path\":\"/products/\((line &* 104_729) % 50_000)\"}\n"
            )
            line += 1
        }
        buffer.moveWriterIndex(to: buffer.readerIndex + bytes)
        return buffer
    }
}
