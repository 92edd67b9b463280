#if canImport(Glibc)
import Glibc
#endif

/// Reads a process's resident set size from `/proc/PID/status` (Linux only).
enum ProcessMemory {
    /// `VmRSS` of `pid` in KiB, or `nil` when unavailable.
    static func residentKiB(pid: Int32) -> Int? { resident(pid: pid)?.total }

    /// `VmRSS` of `pid` split as the kernel counts it: anonymous pages (heap, stacks), file-backed pages
    /// mapped by the process (binary, libraries, and a store's memory-mapped files such as LMDB's), shared memory.
    static func resident(pid: Int32) -> ResidentMemory? {
        guard let text = readFile("/proc/\(pid)/status") else { return nil }
        var fields: [Substring: Int] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon]
            guard key.hasPrefix("VmRSS") || key.hasPrefix("Rss") else { continue }
            fields[key] = Int(line[line.index(after: colon)...].filter { $0.isNumber })
        }
        guard let total = fields["VmRSS"] else { return nil }
        return ResidentMemory(total: total, anon: fields["RssAnon"], file: fields["RssFile"], shmem: fields["RssShmem"])
    }

    private static func readFile(_ path: String) -> String? {
        #if canImport(Glibc)
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = fread(&chunk, 1, chunk.count, file)
            if count <= 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
        #else
        return nil
        #endif
    }

    /// User + system CPU seconds of `pid` (this process when `nil`), from `/proc/PID/stat`.
    static func cpuSeconds(pid: Int32?) -> Double? {
        guard let text = readFile(pid.map { "/proc/\($0)/stat" } ?? "/proc/self/stat") else { return nil }
        // Fields after the parenthesised command name; utime and stime are fields 14 and 15 overall.
        guard let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        #if canImport(Glibc)
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        #else
        let ticks = 100.0
        #endif
        return (user + system) / max(ticks, 1)
    }

    /// The 1-minute load average, for reporting how contended the machine was.
    static func loadAverage() -> Double? {
        #if canImport(Glibc)
        var loads = [Double](repeating: 0, count: 3)
        guard getloadavg(&loads, 3) > 0 else { return nil }
        return loads[0]
        #else
        return nil
        #endif
    }

    /// Raises this process's open-file limit to its hard limit, for thousands of connections.
    @discardableResult
    static func raiseFileLimit() -> Int {
        #if canImport(Glibc)
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return -1 }
        if limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
            _ = getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        return Int(limit.rlim_cur)
        #else
        return -1
        #endif
    }
}

/// A process's resident memory in KiB, from `/proc/PID/status` (`VmRSS`, `RssAnon`, `RssFile`, `RssShmem`).
struct ResidentMemory: Sendable, Equatable {
    /// `VmRSS`: every resident page mapped by the process.
    var total: Int
    /// `RssAnon`: anonymous pages (heap, stacks).
    var anon: Int?
    /// `RssFile`: resident pages of mapped files (code, libraries, memory-mapped data files).
    var file: Int?
    /// `RssShmem`: shared memory.
    var shmem: Int?
}
