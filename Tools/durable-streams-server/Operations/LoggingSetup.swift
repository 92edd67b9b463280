import Logging

/// Bootstraps swift-log for the process: the only place logging is configured (libraries take a `Logger`).
enum LoggingSetup {
    /// Sends every logger to standard error, as text or one JSON object per line, at `level`.
    static func bootstrap(format: ServerSettings.LogFormat, level: Logger.Level) {
        LoggingSystem.bootstrap { label in
            switch format {
            case .json:
                return JSONLogHandler(label: label, level: level)
            case .text:
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
        }
    }
}
