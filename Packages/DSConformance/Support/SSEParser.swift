/// One Server-Sent Event: its type (`event:` field, `message` when absent) and its `data:` lines joined with `\n`.
struct SSEEvent: Sendable, Equatable, CustomStringConvertible {
    var type: String
    var data: String

    var description: String { "\(type): \(String(reflecting: data))" }
}

/// An incremental event-stream parser following the WHATWG rules (CR, LF and CRLF end lines; a blank line ends an
/// event; `:` starts a comment; one leading space after the field colon is dropped).
struct SSEParser: Sendable {
    private var line: [UInt8] = []
    private var eventType = ""
    private var dataLines: [String] = []
    private var sawData = false
    private var afterCR = false

    /// Feeds bytes, returning every event they complete.
    mutating func feed(_ bytes: some Sequence<UInt8>) -> [SSEEvent] {
        var events: [SSEEvent] = []
        for byte in bytes {
            if afterCR && byte == UInt8(ascii: "\n") {
                afterCR = false
                continue
            }
            afterCR = byte == UInt8(ascii: "\r")
            if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                if let event = endLine() { events.append(event) }
            } else {
                line.append(byte)
            }
        }
        return events
    }

    private mutating func endLine() -> SSEEvent? {
        defer { line.removeAll(keepingCapacity: true) }
        if line.isEmpty {
            defer {
                eventType = ""
                dataLines = []
                sawData = false
            }
            guard sawData else { return nil }
            return SSEEvent(type: eventType.isEmpty ? "message" : eventType, data: dataLines.joined(separator: "\n"))
        }
        if line.first == UInt8(ascii: ":") { return nil }
        let field: String
        var value: ArraySlice<UInt8>
        if let colon = line.firstIndex(of: UInt8(ascii: ":")) {
            field = String(decoding: line[..<colon], as: UTF8.self)
            value = line[(colon + 1)...]
            if value.first == UInt8(ascii: " ") { value = value.dropFirst() }
        } else {
            field = String(decoding: line, as: UTF8.self)
            value = []
        }
        switch field {
        case "event": eventType = String(decoding: value, as: UTF8.self)
        case "data":
            dataLines.append(String(decoding: value, as: UTF8.self))
            sawData = true
        default: break
        }
        return nil
    }
}

extension [SSEEvent] {
    /// The `data` events.
    var dataEvents: [SSEEvent] { filter { $0.type == "data" } }
    /// The `control` events.
    var controlEvents: [SSEEvent] { filter { $0.type == "control" } }
}
