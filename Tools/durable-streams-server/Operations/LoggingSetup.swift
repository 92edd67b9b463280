import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Bootstraps swift-log for the process: the only place logging is configured (libraries take a `Logger`).
enum LoggingSetup {
    /// Sends every logger to standard error through `LogOutput.standardError`, as text (swift-log's
    /// `StreamLogHandler` format) or one JSON object per line, at `level`. Lines still pending when the process
    /// exits through `exit` or by returning from `main` (including on a startup error) are written first.
    static func bootstrap(format: ServerSettings.LogFormat, level: Logger.Level) {
        let output = LogOutput.standardError
        LoggingSystem.bootstrap { label in LineLogHandler(label: label, level: level, format: format, output: output) }
        let handler = LineLogHandler(label: label, level: level, format: format, output: output)
        output.setDropReport { count in handler.line(for: dropEvent(count)) }
        atexit { LogOutput.standardError.flush() }
    }

    /// The label of the line reporting dropped lines.
    static let label = "durable-streams.logging"

    private static func dropEvent(_ count: Int) -> LogEvent {
        LogEvent(
            level: .warning, message: "log lines dropped: standard error could not keep up", metadata: ["dropped": .stringConvertible(count)],
            source: "durable_streams_server", file: #fileID, function: #function, line: #line
        )
    }
}
