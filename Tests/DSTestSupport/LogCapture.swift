import Logging
import Synchronization

/// Collects log records in memory: hand ``logger(label:)`` to the code under test, then read ``records``.
/// No global bootstrap is involved, so tests running in parallel do not see each other's records.
public final class LogCapture: Sendable {
    /// One captured record.
    public struct Record: Sendable {
        /// The level.
        public var level: Logger.Level
        /// The message.
        public var message: String
        /// Metadata rendered as strings.
        public var metadata: [String: String]
        /// The logger's label.
        public var label: String
    }

    private let storage = Mutex<[Record]>([])

    /// Creates an empty capture.
    public init() {}

    /// Everything logged so far.
    public var records: [Record] { storage.withLock { $0 } }

    /// A logger that records into this capture at `level` and above.
    public func logger(label: String = "test", level: Logger.Level = .trace) -> Logger {
        var logger = Logger(label: label) { label in CapturingHandler(label: label, capture: self) }
        logger.logLevel = level
        return logger
    }

    fileprivate func append(_ record: Record) {
        storage.withLock { $0.append(record) }
    }
}

private struct CapturingHandler: LogHandler {
    let label: String
    let capture: LogCapture
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var fields = metadata
        if let extra = event.metadata { fields.merge(extra) { _, new in new } }
        capture.append(
            LogCapture.Record(
                level: event.level,
                message: event.message.description,
                metadata: fields.mapValues { "\($0)" },
                label: label
            )
        )
    }
}
