import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A child process for tests (the server and CLI executables, `openssl`), started with `posix_spawn`.
///
/// Foundation's `Process.run()` is not used: on Linux it lists `/proc/self/fd` by copying each `readdir` entry's
/// whole 256-byte name field, which reads past the end of the directory buffer once more than about 1,400
/// descriptors are open. The parallel test suite (hundreds of embedded servers, each with event loops and
/// many with file stores) gets there, and the test process crashed in `Process.run()`. Here the child closes
/// every inherited descriptor above 2 with `posix_spawn_file_actions_addclosefrom_np` (so no child holds
/// another test's pipe open), and the pipes this type creates are close-on-exec in the parent.
public final class ChildProcess: Sendable {
    /// What a standard stream of the child is connected to.
    public enum Stream: Sendable {
        /// The test process's own stream.
        case inherit
        /// `/dev/null`.
        case null
        /// A new pipe, available as ``standardInput``, ``standardOutput`` or ``standardError``.
        case pipe
        /// The same pipe as standard output (for standard error only).
        case output
        /// An open file of the test's (it stays open in the test).
        case file(FileHandle)
    }

    /// The process id.
    public let pid: pid_t
    /// The write end of the child's standard input, when it is a pipe.
    public let standardInput: FileHandle?
    /// The read end of the child's standard output, when it is a pipe.
    public let standardOutput: FileHandle?
    /// The read end of the child's standard error, when it is a pipe of its own.
    public let standardError: FileHandle?
    /// The wait status once the child was reaped.
    private let reaped = Mutex<Int32?>(nil)

    /// Starts `executable` (an absolute path) with `arguments`; `environment` replaces the test's own when given.
    public init(
        executable: String,
        arguments: [String],
        environment: [String: String]? = nil,
        standardInput input: Stream = .null,
        standardOutput output: Stream = .pipe,
        standardError error: Stream = .inherit
    ) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var parentEnds: [Int32?] = [nil, nil, nil]
        var childEnds: [Int32] = []
        defer { for fd in childEnds { close(fd) } }
        do {
            for (target, stream) in [(Int32(0), input), (1, output), (2, error)] {
                switch stream {
                case .inherit:
                    break
                case .null:
                    posix_spawn_file_actions_addopen(&actions, target, "/dev/null", target == 0 ? O_RDONLY : O_WRONLY, 0)
                case .pipe:
                    var fds: [Int32] = [-1, -1]
                    guard pipe(&fds) == 0 else { throw TestFailure("pipe: \(String(cString: strerror(errno)))") }
                    for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
                    let (parentEnd, childEnd) = target == 0 ? (fds[1], fds[0]) : (fds[0], fds[1])
                    parentEnds[Int(target)] = parentEnd
                    childEnds.append(childEnd)
                    posix_spawn_file_actions_adddup2(&actions, childEnd, target)
                case .output:
                    precondition(target == 2, "only standard error can share standard output's pipe")
                    posix_spawn_file_actions_adddup2(&actions, 1, 2)
                case .file(let handle):
                    posix_spawn_file_actions_adddup2(&actions, handle.fileDescriptor, target)
                }
            }
            try Self.closeInheritedDescriptors(&actions)
            var attributes = posix_spawnattr_t()
            posix_spawnattr_init(&attributes)
            defer { posix_spawnattr_destroy(&attributes) }
            var noSignals = sigset_t()
            sigemptyset(&noSignals)
            posix_spawnattr_setsigmask(&attributes, &noSignals)
            var defaults = sigset_t()
            sigemptyset(&defaults)
            for signal in [SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGCHLD] { sigaddset(&defaults, signal) }
            posix_spawnattr_setsigdefault(&attributes, &defaults)
            posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

            let argv = ([executable] + arguments).map { strdup($0) }
            defer { for pointer in argv { free(pointer) } }
            let environment = environment ?? ProcessInfo.processInfo.environment
            let envp = environment.map { strdup("\($0.key)=\($0.value)") }
            defer { for pointer in envp { free(pointer) } }
            var child: pid_t = 0
            let result = posix_spawn(&child, executable, &actions, &attributes, argv + [nil], envp + [nil])
            guard result == 0 else { throw TestFailure("posix_spawn \(executable): \(String(cString: strerror(result)))") }
            pid = child
        } catch {
            for fd in parentEnds.compactMap({ $0 }) { close(fd) }
            throw error
        }
        standardInput = parentEnds[0].map { FileHandle(fileDescriptor: $0, closeOnDealloc: true) }
        standardOutput = parentEnds[1].map { FileHandle(fileDescriptor: $0, closeOnDealloc: true) }
        standardError = parentEnds[2].map { FileHandle(fileDescriptor: $0, closeOnDealloc: true) }
    }

    deinit {
        if isRunning {
            kill(pid, SIGKILL)
            _ = waitUntilExit()
        }
    }

    /// Whether the child has not exited yet (reaps it when it has).
    public var isRunning: Bool { reap(blocking: false) == nil }

    /// Sends `signal` to the child.
    public func send(_ signal: Int32) {
        if isRunning { kill(pid, signal) }
    }

    /// Blocks until the child exits; returns its exit status, or the number of the signal that ended it.
    @discardableResult
    public func waitUntilExit() -> Int32 {
        Self.terminationStatus(reap(blocking: true)!)
    }

    /// The exit status (or ending signal) once the child has exited.
    public var terminationStatus: Int32? { reap(blocking: false).map(Self.terminationStatus) }

    /// The raw wait status, reaping the child if it exited (waiting for that when `blocking`).
    private func reap(blocking: Bool) -> Int32? {
        while true {
            if let status = reaped.withLock({ $0 }) { return status }
            var status: Int32 = 0
            let result = waitpid(pid, &status, blocking ? 0 : WNOHANG)
            if result == pid {
                reaped.withLock { $0 = status }
                return status
            }
            if result == 0 { return nil }
            if errno == EINTR { continue }
            // ECHILD: another thread reaped it and is about to record the status.
            usleep(1000)
        }
    }

    private static func terminationStatus(_ status: Int32) -> Int32 {
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : signal
    }

    /// Has the child close every descriptor above 2 it would inherit (glibc 2.34 and later).
    private static func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) throws {
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "posix_spawn_file_actions_addclosefrom_np") else {
            throw TestFailure("posix_spawn_file_actions_addclosefrom_np is missing (glibc 2.34 or later is needed)")
        }
        let result = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, 3)
        guard result == 0 else { throw TestFailure("posix_spawn_file_actions_addclosefrom_np: \(String(cString: strerror(result)))") }
    }
}
