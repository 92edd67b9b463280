import DSTestSupport
import Foundation
import Synchronization

/// The built `durable-stream` executable, run as a child process with captured output.
final class CLIProcess: Sendable {
    /// Where `swift build` put the executable: next to the test bundle.
    static let executable: URL = {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("durable-stream")
    }()

    private let process: ChildProcess
    private let arguments: [String]
    private let output = CapturedOutput()
    private let changes: AsyncStream<Void>
    private let notify: AsyncStream<Void>.Continuation

    /// Starts `durable-stream arguments…` with `environment` added to (and `STREAM_*` removed from) this
    /// process's environment, feeding `stdin` (or nothing) on standard input.
    init(_ arguments: [String], environment: [String: String] = [:], stdin: [UInt8]? = nil) throws {
        self.arguments = arguments
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("STREAM_") }
        env.merge(environment) { $1 }
        (changes, notify) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        process = try ChildProcess(
            executable: Self.executable.path,
            arguments: arguments,
            environment: env,
            standardInput: stdin == nil ? .null : .pipe,
            standardOutput: .pipe,
            standardError: .pipe
        )
        if let stdin, let input = process.standardInput {
            input.write(Data(stdin))
            try input.close()
        }
        // Blocking reads on dedicated threads: FileHandle.readabilityHandler has crashed libdispatch on Linux
        // when the pipe went away under it.
        let output = self.output
        let notify = self.notify
        for (handle, isStdout) in [(process.standardOutput!, true), (process.standardError!, false)] {
            Thread.detachNewThread {
                while true {
                    let data = handle.availableData
                    if data.isEmpty { break }
                    output.state.withLock { isStdout ? ($0.stdout += data) : ($0.stderr += data) }
                    notify.yield()
                }
                output.state.withLock { $0.openPipes -= 1 }
                notify.yield()
            }
        }
        let process = self.process
        Thread.detachNewThread {
            process.waitUntilExit()
            output.state.withLock { $0.terminated = true }
            notify.yield()
        }
    }

    var stdout: String { output.state.withLock { String(decoding: $0.stdout, as: UTF8.self) } }
    var stderr: String { output.state.withLock { String(decoding: $0.stderr, as: UTF8.self) } }

    /// Waits until standard output satisfies `condition` (or the process exits), at most `seconds`.
    func waitForOutput(_ seconds: Double = 20, _ condition: @escaping @Sendable (String) -> Bool) async throws {
        try await withTimeout(seconds, "durable-stream output") { [self] in
            var iterator = changes.makeAsyncIterator()
            while !condition(stdout) {
                if output.exited { throw TestFailure("durable-stream exited; stderr: \(stderr)") }
                guard await iterator.next() != nil else { break }
            }
        }
    }

    /// Waits for the process to exit (killing it after `seconds`) and returns its status.
    @discardableResult
    func exit(within seconds: Double = 20) async throws -> Int32 {
        do {
            try await withTimeout(seconds, "durable-stream \(arguments)") { [self] in
                var iterator = changes.makeAsyncIterator()
                while !output.exited {
                    guard await iterator.next() != nil else { break }
                }
            }
        } catch {
            process.send(SIGTERM)
            throw error
        }
        return process.waitUntilExit()
    }

    /// Runs the tool to completion.
    static func run(
        _ arguments: [String],
        environment: [String: String] = [:],
        stdin: [UInt8]? = nil
    ) async throws -> (status: Int32, stdout: String, stderr: String) {
        let cli = try CLIProcess(arguments, environment: environment, stdin: stdin)
        let status = try await cli.exit()
        return (status, cli.stdout, cli.stderr)
    }
}

/// What a child process wrote, and whether it exited.
private final class CapturedOutput: Sendable {
    let state = Mutex<(stdout: [UInt8], stderr: [UInt8], openPipes: Int, terminated: Bool)>(([], [], 2, false))

    /// The process ended and both pipes were read to their end.
    var exited: Bool { state.withLock { $0.terminated && $0.openPipes == 0 } }
}
