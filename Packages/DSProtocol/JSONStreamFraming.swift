import NIOCore

/// How a JSON-mode stream stores its messages, shared by every store so offsets mean the same everywhere.
///
/// Each message is stored as its exact JSON text followed by one `,`. A range of whole messages is therefore
/// a contiguous byte range ending in `,`, and a read becomes `[` + range without its last byte + `]`.
/// Offsets in JSON streams are byte positions in this representation, and each message boundary
/// is the position right after a separator.
public enum JSONStreamFraming {
    /// The byte that terminates every stored message.
    public static let separator = UInt8(ascii: ",")

    /// Validates an append body and converts it to stored form (one level of arrays flattened).
    ///
    /// - Parameter allowEmptyArray: `true` for create (`PUT []` makes an empty stream), `false` for append.
    /// - Returns: the stored bytes (possibly empty) and the number of messages.
    public static func frame(
        _ body: ByteBuffer,
        allowEmptyArray: Bool,
        allocator: ByteBufferAllocator
    ) throws(ProtocolError) -> (bytes: ByteBuffer, messageCount: Int) {
        let framed = try frameMessages(body, allowEmptyArray: allowEmptyArray, allocator: allocator)
        return (framed.bytes, framed.messageEnds.count)
    }

    /// ``frame(_:allowEmptyArray:allocator:)`` that also returns where each stored message ends (relative to
    /// the start of `bytes`, just after its separator), from the same single pass over the body.
    public static func frameMessages(
        _ body: ByteBuffer,
        allowEmptyArray: Bool,
        allocator: ByteBufferAllocator
    ) throws(ProtocolError) -> (bytes: ByteBuffer, messageEnds: [Int]) {
        let split: JSONSplit
        do {
            split = try body.withUnsafeReadableBytes { raw throws(JSONValidationError) in
                try JSONMessageSplitter.split(raw)
            }
        } catch {
            throw .invalidJSON(error.message)
        }
        if split.elements.isEmpty {
            if allowEmptyArray { return (allocator.buffer(capacity: 0), []) }
            throw .emptyJSONArray
        }
        var ends: [Int] = []
        ends.reserveCapacity(split.elements.count)
        var total = 0
        for range in split.elements {
            total += range.count + 1
            ends.append(total)
        }
        var out = allocator.buffer(capacity: total)
        body.withUnsafeReadableBytes { raw in
            for range in split.elements {
                out.writeBytes(UnsafeRawBufferPointer(rebasing: raw[range]))
                out.writeInteger(separator)
            }
        }
        return (out, ends)
    }

    /// Positions (relative to the start of `stored`) just after each message separator.
    public static func messageEnds(in stored: ByteBuffer) -> [Int] {
        var ends: [Int] = []
        stored.withUnsafeReadableBytes { raw in
            var depth = 0
            var inString = false
            var escaped = false
            for (index, byte) in raw.enumerated() {
                if inString {
                    if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                    continue
                }
                switch byte {
                case UInt8(ascii: "\""): inString = true
                case UInt8(ascii: "["), UInt8(ascii: "{"): depth += 1
                case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
                case separator where depth == 0: ends.append(index + 1)
                default: break
                }
            }
        }
        return ends
    }
}
