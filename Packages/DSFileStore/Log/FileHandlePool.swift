import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A bounded cache of open log file descriptors, shared by the writer and the readers.
///
/// A descriptor is leased for the duration of one use and never closed while leased, so a reader's `pread`
/// can never land on a descriptor number the kernel has reused for another file. Beyond `capacity` open
/// files, the least recently used unleased descriptors are closed; leases can push the count above the
/// bound for their duration only.
final class FileHandlePool: Sendable {
    private struct Entry {
        var fd: Int32
        var leases: Int
        var lastUse: UInt64
        /// The stream was deleted: close as soon as the last lease ends.
        var retired: Bool
    }

    private struct State {
        var entries: [UInt64: Entry] = [:]
        var clock: UInt64 = 0
    }

    private let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) {
        self.capacity = max(capacity, 1)
    }

    /// Number of open descriptors.
    var openCount: Int { state.withLock { $0.entries.count } }

    /// Runs `body` with an open descriptor for the log at `path` of stream `id`, opening and checking it when needed.
    func withDescriptor<R>(
        stream id: UInt64,
        path: String,
        _ body: (Int32) throws(FileStoreFailure) -> R
    ) throws(FileStoreFailure) -> R {
        let fd = try acquire(stream: id, path: path)
        defer { release(stream: id) }
        return try body(fd)
    }

    /// Adds a descriptor the writer just created (the pool owns it from now on).
    func install(stream id: UInt64, fd: Int32) {
        let evicted = state.withLock { state -> [Int32] in
            state.clock += 1
            var closing: [Int32] = []
            if let old = state.entries[id], old.leases == 0 { closing.append(old.fd) }
            state.entries[id] = Entry(fd: fd, leases: 0, lastUse: state.clock, retired: false)
            return closing + evictIfNeeded(&state)
        }
        for fd in evicted { SystemCall.closeFile(fd) }
    }

    /// Forgets a deleted stream's descriptor, closing it once no lease holds it.
    func retire(stream id: UInt64) {
        let closing = state.withLock { state -> Int32? in
            guard var entry = state.entries[id] else { return nil }
            if entry.leases == 0 {
                state.entries[id] = nil
                return entry.fd
            }
            entry.retired = true
            state.entries[id] = entry
            return nil
        }
        if let closing { SystemCall.closeFile(closing) }
    }

    /// Closes every descriptor (the store is closing; no lease is outstanding).
    func closeAll() {
        let all = state.withLock { state -> [Int32] in
            defer { state.entries = [:] }
            return state.entries.values.map(\.fd)
        }
        for fd in all { SystemCall.closeFile(fd) }
    }

    private func acquire(stream id: UInt64, path: String) throws(FileStoreFailure) -> Int32 {
        let cached = state.withLock { state -> Int32? in
            guard var entry = state.entries[id], !entry.retired else { return nil }
            state.clock += 1
            entry.leases += 1
            entry.lastUse = state.clock
            state.entries[id] = entry
            return entry.fd
        }
        if let cached { return cached }

        let opened = try Self.openLog(path, streamID: id)
        let (fd, closing) = state.withLock { state -> (Int32, [Int32]) in
            state.clock += 1
            if var existing = state.entries[id], !existing.retired {
                existing.leases += 1
                existing.lastUse = state.clock
                state.entries[id] = existing
                return (existing.fd, [opened])
            }
            state.entries[id] = Entry(fd: opened, leases: 1, lastUse: state.clock, retired: false)
            return (opened, evictIfNeeded(&state))
        }
        for fd in closing { SystemCall.closeFile(fd) }
        return fd
    }

    private func release(stream id: UInt64) {
        let closing = state.withLock { state -> Int32? in
            guard var entry = state.entries[id] else { return nil }
            entry.leases -= 1
            if entry.retired && entry.leases == 0 {
                state.entries[id] = nil
                return entry.fd
            }
            state.entries[id] = entry
            return nil
        }
        if let closing { SystemCall.closeFile(closing) }
    }

    /// Removes the least recently used unleased entries down to 7/8 of the capacity; returns their descriptors.
    private func evictIfNeeded(_ state: inout State) -> [Int32] {
        guard state.entries.count > capacity else { return [] }
        let target = capacity - capacity / 8
        let idle = state.entries.filter { $0.value.leases == 0 }.sorted { $0.value.lastUse < $1.value.lastUse }
        var closing: [Int32] = []
        for (id, entry) in idle.prefix(state.entries.count - target) {
            state.entries[id] = nil
            closing.append(entry.fd)
        }
        return closing
    }

    /// Opens an existing log for reading and appending and checks that it belongs to stream `id`.
    private static func openLog(_ path: String, streamID id: UInt64) throws(FileStoreFailure) -> Int32 {
        let fd: Int32
        do {
            fd = try SystemCall.openFile(path, O_RDWR)
        } catch .system(let code, _) where code == EROFS || code == EACCES {
            fd = try SystemCall.openFile(path, O_RDONLY)  // a read-only directory still serves reads
        }
        do {
            var header = [UInt8](repeating: 0, count: Int(LogGeometry.fileHeaderSize))
            let count = try header.withMutableBytes { (raw) throws(FileStoreFailure) in try SystemCall.read(fd, into: raw, at: 0) }
            try header.withBytes { (raw) throws(FileStoreFailure) in
                try LogFrame.validateFileHeader(UnsafeRawBufferPointer(rebasing: raw[0..<count]), streamID: id)
            }
        } catch {
            SystemCall.closeFile(fd)
            throw error
        }
        return fd
    }
}
