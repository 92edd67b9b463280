import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Files in the subscription directory, written atomically: a temporary file, `fsync`, `rename`, then an
/// `fsync` of the directory, so a crash leaves either the old or the new content, never a mix.
struct SnapshotFile: Sendable {
    let directory: String

    /// Creates the directory (mode 0700) when missing.
    init(directory: String) throws {
        self.directory = directory
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }

    /// The file's bytes, or `nil` when it does not exist.
    func read(_ name: String) throws -> Data? {
        let path = directory + "/" + name
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return try Data(contentsOf: URL(fileURLWithPath: path))
    }

    /// Replaces the file atomically and durably; `mode` applies to the new file.
    func write(_ name: String, _ data: Data, mode: mode_t = 0o600) throws {
        let path = directory + "/" + name
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, mode)
        guard fd >= 0 else { throw PersistenceError.io("open \(temporary)", errno) }
        var ok = data.withUnsafeBytes { raw -> Bool in
            var offset = 0
            while offset < raw.count {
                let written = systemWrite(fd, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += written
            }
            return true
        }
        if ok { ok = fsync(fd) == 0 }
        let error = errno
        close(fd)
        guard ok else { throw PersistenceError.io("write \(temporary)", error) }
        guard rename(temporary, path) == 0 else { throw PersistenceError.io("rename \(temporary)", errno) }
        let directoryFD = open(directory, O_RDONLY)
        if directoryFD >= 0 {
            _ = fsync(directoryFD)
            close(directoryFD)
        }
    }
}

private func systemWrite(_ fd: Int32, _ pointer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.write(fd, pointer, count)
    #else
    return Darwin.write(fd, pointer, count)
    #endif
}

/// Why the subscription state could not be loaded or saved.
enum PersistenceError: Error, CustomStringConvertible {
    case io(String, Int32)
    case corrupt(String)

    var description: String {
        switch self {
        case .io(let what, let code): return "\(what) failed: \(String(cString: strerror(code)))"
        case .corrupt(let what): return "corrupt subscription state: \(what)"
        }
    }
}
