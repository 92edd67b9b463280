import NIOCore
import Synchronization

/// Keeps every client's token buckets and live-read count, in shards with their own locks so that
/// clients never wait for each other on one global lock.
final class ClientLimiter: Sendable {
    /// Why a request was refused.
    struct Refusal: Sendable, Equatable {
        /// `requests`, `bytes` or `live`.
        var reason: String
        /// Whole seconds the client should wait (at least 1).
        var retryAfterSeconds: Int
    }

    private struct Client {
        var requests: TokenBucket
        var bytes: TokenBucket
        var live = 0
    }

    private final class Shard: Sendable {
        let clients = Mutex<[String: Client]>([:])
    }

    private static let shardCount = 16
    /// A shard forgets idle clients (full buckets, no live reads) once it holds this many.
    private let pruneThreshold: Int

    let options: RateLimitOptions
    private let shards: [Shard]

    init(options: RateLimitOptions, pruneThreshold: Int = 4096) {
        self.options = options
        self.pruneThreshold = pruneThreshold
        shards = (0..<Self.shardCount).map { _ in Shard() }
    }

    private func shard(for key: String) -> Shard {
        var hasher = Hasher()
        hasher.combine(key)
        return shards[Int(UInt(bitPattern: hasher.finalize()) % UInt(Self.shardCount))]
    }

    /// Pays for one request carrying `bodyBytes`, or says how long to wait. Nothing is paid on refusal.
    func admit(_ key: String, bodyBytes: Int, now: UInt64 = NIODeadline.now().uptimeNanoseconds) -> Refusal? {
        let options = self.options
        let pruneThreshold = self.pruneThreshold
        guard options.requestsPerSecond != nil || options.bytesPerSecond != nil else { return nil }
        let requestCapacity = options.requestCapacity
        let byteCapacity = options.byteCapacity
        return shard(for: key).clients.withLock { clients -> Refusal? in
            var client = clients[key] ?? Client(
                requests: TokenBucket(capacity: requestCapacity, now: now),
                bytes: TokenBucket(capacity: byteCapacity, now: now)
            )
            var wait = 0.0
            var reason = ""
            if let rate = options.requestsPerSecond {
                client.requests.refill(rate: rate, capacity: requestCapacity, now: now)
                let needed = client.requests.wait(for: 1, rate: rate, capacity: requestCapacity)
                if needed > wait { (wait, reason) = (needed, "requests") }
            }
            if let rate = options.bytesPerSecond, bodyBytes > 0 {
                client.bytes.refill(rate: rate, capacity: byteCapacity, now: now)
                let needed = client.bytes.wait(for: Double(bodyBytes), rate: rate, capacity: byteCapacity)
                if needed > wait { (wait, reason) = (needed, "bytes") }
            }
            if wait > 0 {
                clients[key] = client
                return Refusal(reason: reason, retryAfterSeconds: max(1, Int(wait.rounded(.up))))
            }
            if options.requestsPerSecond != nil { client.requests.pay(1) }
            if options.bytesPerSecond != nil { client.bytes.pay(Double(bodyBytes)) }
            if clients[key] == nil && clients.count >= pruneThreshold {
                Self.prune(&clients, options: options, now: now)
            }
            clients[key] = client
            return nil
        }
    }

    /// Takes one of the client's live-read slots; `false` when all are in use.
    func acquireLive(_ key: String, now: UInt64 = NIODeadline.now().uptimeNanoseconds) -> Bool {
        guard let limit = options.maxLiveRequestsPerClient else { return true }
        let options = self.options
        return shard(for: key).clients.withLock { clients in
            var client = clients[key] ?? Client(
                requests: TokenBucket(capacity: options.requestCapacity, now: now),
                bytes: TokenBucket(capacity: options.byteCapacity, now: now)
            )
            guard client.live < limit else { return false }
            client.live += 1
            clients[key] = client
            return true
        }
    }

    /// Returns a slot taken by ``acquireLive(_:now:)``.
    func releaseLive(_ key: String) {
        guard options.maxLiveRequestsPerClient != nil else { return }
        shard(for: key).clients.withLock { clients in
            guard var client = clients[key] else { return }
            client.live = max(0, client.live - 1)
            clients[key] = client
        }
    }

    /// Number of clients remembered (for tests).
    var clientCount: Int { shards.reduce(0) { total, shard in total + shard.clients.withLock { $0.count } } }

    private static func prune(_ clients: inout [String: Client], options: RateLimitOptions, now: UInt64) {
        clients = clients.filter { _, client in
            var client = client
            guard client.live == 0 else { return true }
            if let rate = options.requestsPerSecond {
                client.requests.refill(rate: rate, capacity: options.requestCapacity, now: now)
                if !client.requests.isFull(capacity: options.requestCapacity) { return true }
            }
            if let rate = options.bytesPerSecond {
                client.bytes.refill(rate: rate, capacity: options.byteCapacity, now: now)
                if !client.bytes.isFull(capacity: options.byteCapacity) { return true }
            }
            return false
        }
    }
}
