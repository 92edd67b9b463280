#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Thin throwing wrappers over the POSIX calls the file store makes, retrying on `EINTR`.
///
/// Every call here blocks; callers run on the writer thread, a reader thread or during open, never on an event loop.
enum SystemCall {
    static func openFile(_ path: String, _ flags: Int32, mode: mode_t = 0o644) throws(FileStoreFailure) -> Int32 {
        while true {
            let fd = open(path, flags | O_CLOEXEC, mode)
            if fd >= 0 { return fd }
            if errno != EINTR { throw .system(errno: errno, operation: "open \(path)") }
        }
    }

    /// Fails unless the process may create files in the directory at `path` (it exists, is writable, and its
    /// file system is not read-only).
    static func checkWritable(_ path: String) throws(FileStoreFailure) {
        if access(path, W_OK) != 0 { throw .system(errno: errno, operation: "check that \(path) is writable") }
    }

    static func closeFile(_ fd: Int32) {
        _ = close(fd)
    }

    /// Reads `buffer.count` bytes at `offset` unless the file ends first; returns the number read.
    static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64) throws(FileStoreFailure) -> Int {
        var done = 0
        while done < buffer.count {
            let result = pread(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset) + off_t(done))
            if result > 0 {
                done += result
            } else if result == 0 {
                break
            } else if errno != EINTR {
                throw .system(errno: errno, operation: "read")
            }
        }
        return done
    }

    /// Writes all of `bytes` at `offset`.
    static func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, at offset: UInt64) throws(FileStoreFailure) {
        var done = 0
        while done < bytes.count {
            let result = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(offset) + off_t(done))
            if result >= 0 {
                done += result
            } else if errno != EINTR {
                throw .system(errno: errno, operation: "write")
            }
        }
    }

    /// Makes a file's data (and the size needed to read it) durable.
    static func syncData(_ fd: Int32) throws(FileStoreFailure) {
        while true {
            #if os(Linux)
            let result = fdatasync(fd)
            #else
            let result = fcntl(fd, F_FULLFSYNC)
            #endif
            if result == 0 { return }
            if errno != EINTR { throw .system(errno: errno, operation: "fdatasync") }
        }
    }

    /// Makes a directory's entries (new, renamed or removed files) durable.
    static func syncDirectory(_ path: String) throws(FileStoreFailure) {
        let fd = try openFile(path, O_RDONLY | O_DIRECTORY)
        defer { closeFile(fd) }
        while fsync(fd) != 0 {
            if errno != EINTR { throw .system(errno: errno, operation: "fsync \(path)") }
        }
    }

    static func truncate(_ fd: Int32, to length: UInt64) throws(FileStoreFailure) {
        while ftruncate(fd, off_t(length)) != 0 {
            if errno != EINTR { throw .system(errno: errno, operation: "truncate") }
        }
    }

    /// The size of the file at `path`, or `nil` when it does not exist.
    static func fileSize(_ path: String) throws(FileStoreFailure) -> UInt64? {
        var info = stat()
        if stat(path, &info) == 0 { return UInt64(info.st_size) }
        if errno == ENOENT { return nil }
        throw .system(errno: errno, operation: "stat \(path)")
    }

    static func renameFile(_ from: String, _ to: String) throws(FileStoreFailure) {
        if rename(from, to) != 0 { throw .system(errno: errno, operation: "rename \(from)") }
    }

    /// Removes a file; a missing file is not an error.
    static func removeFile(_ path: String) throws(FileStoreFailure) {
        if unlink(path) != 0 && errno != ENOENT { throw .system(errno: errno, operation: "unlink \(path)") }
    }

    /// Creates a directory unless it exists.
    static func makeDirectory(_ path: String) throws(FileStoreFailure) {
        if mkdir(path, 0o755) != 0 && errno != EEXIST { throw .system(errno: errno, operation: "mkdir \(path)") }
    }

    /// The names in a directory, without `.` and `..`.
    static func listDirectory(_ path: String) throws(FileStoreFailure) -> [String] {
        guard let dir = opendir(path) else { throw .system(errno: errno, operation: "opendir \(path)") }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Takes an exclusive advisory lock on `path` (created if needed), held until the returned descriptor is closed.
    /// A busy lock is retried for up to `patience` (see ``FileStoreOptions/lockWait``).
    static func lockFile(_ path: String, patience: Duration) throws(FileStoreFailure) -> Int32 {
        let fd = try openFile(path, O_RDWR | O_CREAT)
        let deadline = ContinuousClock.now + patience
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            if code == EINTR { continue }
            guard code == EWOULDBLOCK, ContinuousClock.now < deadline else {
                closeFile(fd)
                throw .system(errno: code, operation: "lock \(path) (is another server using this data directory?)")
            }
            usleep(10_000)
        }
        return fd
    }

    /// Takes a shared lock on an existing lock file opened for reading (a read-only directory); returns -1
    /// when there is no lock file to take. A busy lock is retried for up to `patience`, as for ``lockFile(_:patience:)``.
    static func lockFileForReading(_ path: String, patience: Duration) throws(FileStoreFailure) -> Int32 {
        let fd: Int32
        do throws(FileStoreFailure) {
            fd = try openFile(path, O_RDONLY)
        } catch .system(let code, _) where code == ENOENT {
            return -1
        }
        let deadline = ContinuousClock.now + patience
        while flock(fd, LOCK_SH | LOCK_NB) != 0 {
            let code = errno
            if code == EINTR { continue }
            guard code == EWOULDBLOCK, ContinuousClock.now < deadline else {
                closeFile(fd)
                throw .system(errno: code, operation: "lock \(path) (is another server using this data directory?)")
            }
            usleep(10_000)
        }
        return fd
    }
}
