import Logging

/// A `LogHandler` writing the same lines as swift-log's `StreamLogHandler`, through `LogOutput` instead of a
/// blocking write per line:
/// `2026-01-02T03:04:05+0100 info durable-streams.access: method=PUT path=/v1/stream/a status=201 [DSServer] request`.
/// Tests and scripts read these lines (e.g. `groupCommits=`), so the format must not drift: local-time timestamp,
/// level, label, `:`, ` key=value` for each metadata entry sorted by key, ` [source] message`.
struct TextLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?
    private let output: LogOutput

    init(label: String, level: Logger.Level, metadataProvider: Logger.MetadataProvider? = nil, output: LogOutput = .standardError) {
        self.label = label
        self.logLevel = level
        self.metadataProvider = metadataProvider
        self.output = output
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        output.append(line(for: event))
    }

    /// The line for `event`, newline included. Metadata merges as in `StreamLogHandler`: the handler's own,
    /// then the provider's, then the event's, then the event's error as `error.message` and `error.type`.
    func line(for event: LogEvent) -> [UInt8] {
        var fields = metadata
        if let provided = metadataProvider?.get(), !provided.isEmpty { fields.merge(provided) { _, new in new } }
        if let extra = event.metadata, !extra.isEmpty { fields.merge(extra) { _, new in new } }
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
