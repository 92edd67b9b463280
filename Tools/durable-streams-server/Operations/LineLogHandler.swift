import Logging

/// A `LogHandler` writing one line per event through `LogOutput`, so lines never interleave and the caller
/// (often an event loop) never waits on `write(2)`. The format (`TextLogLine` or `JSONLogLine`) makes the bytes.
struct LineLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?
    private let format: ServerSettings.LogFormat
    private let output: LogOutput

    init(
        label: String,
        level: Logger.Level,
        format: ServerSettings.LogFormat,
        metadataProvider: Logger.MetadataProvider? = nil,
        output: LogOutput = .standardError
    ) {
        self.label = label
        self.logLevel = level
        self.format = format
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

    /// The line for `event`, newline included. Metadata merges as in `StreamLogHandler`: the handler's own, then
    /// the provider's, then the event's.
    func line(for event: LogEvent) -> [UInt8] {
        var fields = metadata
        if let provided = metadataProvider?.get(), !provided.isEmpty { fields.merge(provided) { _, new in new } }
        if let extra = event.metadata, !extra.isEmpty { fields.merge(extra) { _, new in new } }
        switch format {
        case .text: return TextLogLine.make(label: label, fields: fields, event: event)
        case .json: return JSONLogLine.make(label: label, fields: fields, event: event)
        }
    }
}
