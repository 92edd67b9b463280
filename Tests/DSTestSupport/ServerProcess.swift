import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The `durable-streams-server` executable running as a child process, for tests of the binary itself
/// (flags, signals, crash recovery).
public final class ServerProcess: Sendable {
    private let process: ChildProcess
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
        timeoutSeconds: Double = 30
    ) throws {
        process = try ChildProcess(
            executable: Self.executablePath,
            arguments: arguments,
            environment: environment.isEmpty ? nil : ProcessInfo.processInfo.environment.merging(environment) { _, new in new },
            standardOutput: .pipe,
            standardError: standardError.map { .file($0) } ?? .inherit
        )
        let line = try Self.readLine(from: process.standardOutput!, timeoutSeconds: timeoutSeconds)
        banner = line
        guard let start = line.range(of: "http://") ?? line.range(of: "https://") else {
            process.send(SIGTERM)
            throw TestFailure("unexpected banner: \(line)")
        }
        streamRootURL = String(line[start.lowerBound...].prefix { !$0.isWhitespace })
    }

    /// The process id.
    public var pid: Int32 { process.pid }

    /// Sends `signal` and waits for the process to exit; returns its exit status.
    @discardableResult
    public func stop(signal: Int32 = SIGTERM, timeoutSeconds: Double = 10) throws -> Int32 {
        process.send(signal)
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        guard let status = process.terminationStatus else {
            process.send(SIGKILL)
            throw TestFailure("server did not exit within \(timeoutSeconds) s of signal \(signal)")
        }
        return status
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
