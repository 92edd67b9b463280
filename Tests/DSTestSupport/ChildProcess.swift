import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A child process started with `posix_spawn`, for tests that run executables.
///
/// Foundation's `Process.run()` on Linux scans `/proc/self/fd` before forking and copies each entry's whole
/// 256-byte `d_name`, reading past the directory buffer: with the thousands of descriptors a parallel test
/// run holds open it crashes the test process (SIGSEGV in `memcpy`, seen in this suite). Spawning directly,
/// with every descriptor above 2 closed in the child (`posix_spawn_file_actions_addclosefrom_np`), avoids
/// that scan.
public final class ChildProcess: @unchecked Sendable {
    // @unchecked: `pid` is immutable; the cached exit status is guarded by `lock`.
    /// Where a standard stream of the child goes.
    public enum Output: @unchecked Sendable {
        /// The test process's own stream.
        case inherit
        /// A pipe the test reads through ``standardOutput`` / ``standardError``.
        case capture
        /// An open file.
        case file(FileHandle)
    }

    /// The process id.
    public let pid: pid_t
    /// The read end of the captured standard output, if captured.
    public let standardOutput: FileHandle?
    /// The read end of the captured standard error, if captured.
    public let standardError: FileHandle?
    private let lock = NSLock()
    private var exitStatus: Int32?

    /// Spawns `executable` with `arguments`; `environment` replaces the test's environment when given.
    /// Standard input carries `standardInput` and then ends, or is `/dev/null` when that is `nil`.
    public init(
        executable: String,
        arguments: [String],
        environment: [String: String]? = nil,
        standardInput: [UInt8]? = nil,
        standardOutput: Output = .inherit,
        standardError: Output = .inherit
    ) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var parentEnds: [Int32: Int32] = [:]
        var childEnds: [Int32] = []
        defer { for fd in childEnds { close(fd) } }
        if standardInput != nil {
            var ends: [Int32] = [0, 0]
            guard pipe(&ends) == 0 else { throw TestFailure("pipe() failed: \(errno)") }
            _ = fcntl(ends[0], F_SETFD, FD_CLOEXEC)
            _ = fcntl(ends[1], F_SETFD, FD_CLOEXEC)
            parentEnds[0] = ends[1]
            childEnds.append(ends[0])
            posix_spawn_file_actions_adddup2(&actions, ends[0], 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        for (target, output) in [(Int32(1), standardOutput), (Int32(2), standardError)] {
            switch output {
            case .inherit:
                break
            case .file(let handle):
                posix_spawn_file_actions_adddup2(&actions, handle.fileDescriptor, target)
            case .capture:
                var ends: [Int32] = [0, 0]
                guard pipe(&ends) == 0 else { throw TestFailure("pipe() failed: \(errno)") }
                // Other children close every inherited descriptor anyway (closefrom below, or Foundation's scan).
                _ = fcntl(ends[0], F_SETFD, FD_CLOEXEC)
                _ = fcntl(ends[1], F_SETFD, FD_CLOEXEC)
                parentEnds[target] = ends[0]
                childEnds.append(ends[1])
                posix_spawn_file_actions_adddup2(&actions, ends[1], target)
            }
        }
        if let closeFrom = Self.addCloseFrom {
            _ = closeFrom(&actions, 3)
        }

        let argv = ([executable] + arguments).map { strdup($0) }
        let environment = environment ?? ProcessInfo.processInfo.environment
        let envp = environment.map { strdup("\($0.key)=\($0.value)") }
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let result = (argv + [nil]).withUnsafeBufferPointer { argvPointer in
            (envp + [nil]).withUnsafeBufferPointer { envpPointer in
                posix_spawn(&pid, executable, &actions, nil, argvPointer.baseAddress!, envpPointer.baseAddress!)
            }
        }
        guard result == 0 else {
            for fd in parentEnds.values { close(fd) }
            throw TestFailure("posix_spawn \(executable) failed: \(String(cString: strerror(result)))")
        }
        self.pid = pid
        if let standardInput, let input = parentEnds[0] {
            // The child reads as the test writes; closing the pipe is its end of input.
            let handle = FileHandle(fileDescriptor: input, closeOnDealloc: true)
            handle.write(Data(standardInput))
            try handle.close()
        }
        self.standardOutput = parentEnds[1].map { FileHandle(fileDescriptor: $0, closeOnDealloc: true) }
        self.standardError = parentEnds[2].map { FileHandle(fileDescriptor: $0, closeOnDealloc: true) }
    }

    /// glibc 2.34's `posix_spawn_file_actions_addclosefrom_np`, which Swift's Glibc module does not export
    /// (it needs `_GNU_SOURCE`); looked up at run time, `nil` on older C libraries.
    private static let addCloseFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
    }()

    /// Sends `signal` to the process.
    public func send(_ signal: Int32) {
        kill(pid, signal)
    }

    /// Whether the process has not exited yet (reaps it when it has).
    public var isRunning: Bool { reap(blocking: false) == nil }

    /// Waits for the process to exit (blocking: call it through ``runBlocking(_:)``) and returns its status:
    /// the exit code, or 128 plus the signal number when a signal ended it.
    @discardableResult
    public func waitForExit() -> Int32 {
        reap(blocking: true) ?? -1
    }

    /// The exit status once the process has exited.
    public var terminationStatus: Int32? { lock.withLock { exitStatus } }

    private func reap(blocking: Bool) -> Int32? {
        lock.withLock {
            if let exitStatus { return exitStatus }
            var status: Int32 = 0
            var result: pid_t
            repeat {
                result = waitpid(pid, &status, blocking ? 0 : WNOHANG)
            } while result < 0 && errno == EINTR
            guard result == pid else { return nil }
            let signal = status & 0x7f
            exitStatus = signal == 0 ? (status >> 8) & 0xff : 128 + signal
            return exitStatus
        }
    }

    /// Reads `handle` to its end (blocking).
    public static func readToEnd(_ handle: FileHandle?) -> String {
        guard let handle else { return "" }
        return String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
    }

    deinit {
        if reap(blocking: false) == nil {
            kill(pid, SIGKILL)
            _ = reap(blocking: true)
        }
    }
}
