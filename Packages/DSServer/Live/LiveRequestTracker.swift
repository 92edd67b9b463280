import NIOPosix
import Synchronization

/// The long-polls and SSE sessions in progress, so a graceful shutdown can answer all of them at once.
///
/// Every long-poll registers and unregisters here, on its event loop, and a fan-out does that 1,000 times per
/// append on every loop at once. One lock and table for all of them made each loop wait for the other's cache
/// line, so the requests are kept in shards, one per registering thread (ids say which), each with its own lock.
final class LiveRequestTracker: Sendable {
    private struct Shard {
        var nextID: UInt64 = 0
        var lifetimes: [UInt64: RequestLifetime] = [:]
        var stopping = false
    }

    /// Bits of an id that name its shard.
    private static let shardBits = 3
    private static let shardCount = 1 << shardBits
    private let shards: [LockedShard]
    private let pendingOutbound = Atomic<Int>(0)
    /// The shard of the calling thread, assigned on its first registration.
    private let threadShard = ThreadSpecificVariable<ShardIndex>()
    private let nextShard = Atomic<Int>(0)

    private final class LockedShard: Sendable {
        let state = Mutex(Shard())
    }

    private final class ShardIndex: Sendable {
        let value: Int
        init(_ value: Int) { self.value = value }
    }

    init() {
        shards = (0..<Self.shardCount).map { _ in LockedShard() }
    }

    /// Adjusts the bytes written to live connections that the sockets have not taken yet.
    func addPendingOutbound(_ delta: Int) {
        pendingOutbound.wrappingAdd(delta, ordering: .relaxed)
    }

    /// Bytes written to live connections that the sockets have not taken yet.
    var pendingOutboundBytes: Int { pendingOutbound.load(ordering: .relaxed) }

    /// Tracks `lifetime` until it ends; if the server is already stopping it ends at once.
    func track(_ lifetime: RequestLifetime) {
        guard let id = register(lifetime) else { return }
        lifetime.onEnd { [weak self] _ in self?.unregister(id) }
    }

    /// Tracks `lifetime` until ``unregister(_:)`` is called with the returned id, for a caller that knows when
    /// its request stops being live (no callback on the lifetime). If the server is already stopping the
    /// lifetime ends at once and the result is `nil`.
    func register(_ lifetime: RequestLifetime) -> UInt64? {
        let shard = currentShard()
        let registered = shards[shard].state.withLock { state -> UInt64? in
            if state.stopping { return nil }
            state.nextID &+= 1
            let id = state.nextID << Self.shardBits | UInt64(shard)
            state.lifetimes[id] = lifetime
            return id
        }
        if registered == nil { lifetime.end(.serverShutdown) }
        return registered
    }

    /// Stops tracking the lifetime registered as `id`.
    func unregister(_ id: UInt64) {
        _ = shards[Int(id & UInt64(Self.shardCount - 1))].state.withLock { $0.lifetimes.removeValue(forKey: id) }
    }

    /// Ends every tracked request with ``RequestLifetime/EndReason/serverShutdown``; later registrations end at once.
    func endAll() {
        var lifetimes: [RequestLifetime] = []
        for shard in shards {
            shard.state.withLock { state in
                state.stopping = true
                lifetimes.append(contentsOf: state.lifetimes.values)
            }
        }
        for lifetime in lifetimes { lifetime.end(.serverShutdown) }
    }

    /// Number of live requests in progress.
    var count: Int { shards.reduce(0) { total, shard in total + shard.state.withLock { $0.lifetimes.count } } }

    private func currentShard() -> Int {
        if let index = threadShard.currentValue { return index.value }
        let index = ShardIndex(nextShard.wrappingAdd(1, ordering: .relaxed).oldValue & (Self.shardCount - 1))
        threadShard.currentValue = index
        return index.value
    }
}
