import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The local time as `%Y-%m-%dT%H:%M:%S%z` (e.g. `2026-01-02T03:04:05+0100`), as swift-log's `StreamLogHandler`
/// prints it. The text is formatted once per second and copied from a cache in between, because
/// `localtime` + `strftime` per line is a large part of the cost of a request-log line.
enum LocalTimestamp {
    private struct Cached {
        var second: time_t = -1
        var text: [UInt8] = []
    }

    private static let cache: Mutex<Cached> = {
        tzset()  // `localtime_r`, unlike `localtime`, need not read TZ itself
        return Mutex(Cached())
    }()

    /// Appends the current second's timestamp to `line`.
    static func append(to line: inout [UInt8]) {
        let now = time(nil)
        let hit = cache.withLock { cached -> Bool in
            guard cached.second == now else { return false }
            line.append(contentsOf: cached.text)
            return true
        }
        if hit { return }
        let text = format(now)
        cache.withLock { cached in
            if now > cached.second { cached = Cached(second: now, text: text) }
        }
        line.append(contentsOf: text)
    }

    /// `seconds` formatted with `strftime`, or `<unknown>` (as `StreamLogHandler` prints) if it has no local time.
    static func format(_ seconds: time_t) -> [UInt8] {
        var seconds = seconds
        var parts = tm()
        guard localtime_r(&seconds, &parts) != nil else { return Array("<unknown>".utf8) }
        var buffer = [Int8](repeating: 0, count: 64)
        let count = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%S%z", &parts)
        return buffer[..<count].map { UInt8(bitPattern: $0) }
    }
}
