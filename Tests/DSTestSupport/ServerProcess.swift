import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The `durable-streams-server` executable running as a child process, for tests of the binary itself
/// (flags, signals, crash recovery).
///
/// Every wait (for the banner, for the exit) happens on a thread of its own, never on the cooperative pool.
public final class ServerProcess: @unchecked Sendable {
    // @unchecked: `process` and `output` are only touched from the creating test's task and, during a wait, from
    // the one waiting thread; Foundation's Process is thread-safe for the calls used here.
    private let process: Process
    private let output: Pipe
    /// The first line the server printed (its URL).
    public let banner: String
    /// The stream root URL parsed from the banner.
    public let streamRootURL: String

    /// Path of the built executable, next to the test bundle.
    public static var executablePath: String {
        let testBinary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var directory = testBinary.deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("durable-streams-server")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate.path }
            directory = directory.deletingLastPathComponent()
        }
        return "durable-streams-server"
    }

    /// Starts the server with `arguments` (e.g. `["dev", "--port", "0"]`) and waits for its banner line.
    /// `environment` entries are added to the test's own environment; `standardError` receives the server's
    /// logs (the test's own standard error by default).
    public init(
        arguments: [String],
        environment: [String: String] = [:],
        standardError: FileHandle? = nil,
        timeoutSeconds: Double = 60
    ) async throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: Self.executablePath)
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        }
        output = Pipe()
        process.standardOutput = output
        process.standardError = standardError ?? FileHandle.standardError
        try process.run()
        let handle = output.fileHandleForReading
        let line = try await runBlocking { try Self.readLine(from: handle, timeoutSeconds: timeoutSeconds) }
        banner = line
        guard let start = line.range(of: "http://") ?? line.range(of: "https://") else {
            process.terminate()
            throw TestFailure("unexpected banner: \(line)")
        }
        streamRootURL = String(line[start.lowerBound...].prefix { !$0.isWhitespace })
    }

    /// Runs the executable with `arguments` until it exits by itself (a refused start, a `--help`); returns its
    /// exit status and what it wrote to standard error.
    public static func runToExit(_ arguments: [String], environment: [String: String] = [:]) async throws -> (status: Int32, standardError: String) {
        try await runBlocking {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executablePath)
            process.arguments = arguments
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
            let errors = Pipe()
            process.standardError = errors
            process.standardOutput = Pipe()
            try process.run()
            let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return (process.terminationStatus, message)
        }
    }

    /// The process id.
    public var pid: Int32 { process.processIdentifier }

    /// Sends `signal` and waits for the process to exit; returns its exit status.
    @discardableResult
    public func stop(signal: Int32 = SIGTERM, timeoutSeconds: Double = 60) async throws -> Int32 {
        kill(process.processIdentifier, signal)
        let process = self.process
        let exited = try await runBlocking { () -> Bool in
            let deadline = Date().addingTimeInterval(timeoutSeconds)
            while process.isRunning && Date() < deadline { usleep(10_000) }
            return !process.isRunning
        }
        guard exited else {
            kill(process.processIdentifier, SIGKILL)
            throw TestFailure("server did not exit within \(timeoutSeconds) s of signal \(signal)")
        }
        return process.terminationStatus
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    private static func readLine(from handle: FileHandle, timeoutSeconds: Double) throws -> String {
        var bytes: [UInt8] = []
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        let descriptor = handle.fileDescriptor
        while Date() < deadline {
            var pollDescriptor = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&pollDescriptor, 1, 100) > 0 else { continue }
            var byte: UInt8 = 0
            guard read(descriptor, &byte, 1) == 1 else { break }
            if byte == UInt8(ascii: "\n") { return String(decoding: bytes, as: UTF8.self) }
            bytes.append(byte)
        }
        throw TestFailure("no banner line from the server within \(timeoutSeconds) s (got \(String(decoding: bytes, as: UTF8.self)))")
    }
}
