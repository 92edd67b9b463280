import Logging

/// The text line format: the same lines as swift-log's `StreamLogHandler`
/// (`2026-01-02T03:04:05+0100 info durable-streams.access: method=PUT path=/v1/stream/a status=201 [DSServer] request`).
/// Tests and scripts read these lines (e.g. `groupCommits=`), so the format must not drift: local-time timestamp,
/// level, label, `:`, ` key=value` for each metadata entry sorted by key, ` [source] message`.
enum TextLogLine {
    /// The line for `event` with its merged metadata `fields`, newline included. As in `StreamLogHandler`, the
    /// event's error joins the fields as `error.message` and `error.type`.
    static func make(label: String, fields: Logger.Metadata, event: LogEvent) -> [UInt8] {
        var fields = fields
        if let error = event.error {
            fields["error.message"] = "\(error)"
            fields["error.type"] = "\(String(reflecting: type(of: error)))"
        }
        var line: [UInt8] = []
        line.reserveCapacity(256)
        LocalTimestamp.append(to: &line)
        line.append(UInt8(ascii: " "))
        line.append(contentsOf: event.level.rawValue.utf8)
        if !label.isEmpty { line.append(UInt8(ascii: " ")) }
        line.append(contentsOf: label.utf8)
        line.append(UInt8(ascii: ":"))
        for (key, value) in fields.sorted(by: { $0.key < $1.key }) {
            line.append(UInt8(ascii: " "))
            line.append(contentsOf: key.utf8)
            line.append(UInt8(ascii: "="))
            switch value {
            case .string(let text): line.append(contentsOf: text.utf8)
            case .stringConvertible(let convertible): line.append(contentsOf: convertible.description.utf8)
            case .array, .dictionary: line.append(contentsOf: value.description.utf8)
            }
        }
        line.append(contentsOf: " [".utf8)
        line.append(contentsOf: event.source.utf8)
        line.append(contentsOf: "] ".utf8)
        line.append(contentsOf: event.message.description.utf8)
        line.append(UInt8(ascii: "\n"))
        return line
    }
}
