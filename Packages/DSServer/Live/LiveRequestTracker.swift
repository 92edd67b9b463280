import Synchronization

/// The long-polls and SSE sessions in progress, so a graceful shutdown can answer all of them at once.
final class LiveRequestTracker: Sendable {
    private let state = Mutex<(nextID: UInt64, lifetimes: [UInt64: RequestLifetime], stopping: Bool)>((0, [:], false))
    private let pendingOutbound = Atomic<Int>(0)

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
        let registered = state.withLock { state -> UInt64? in
            if state.stopping { return nil }
            state.nextID &+= 1
            state.lifetimes[state.nextID] = lifetime
            return state.nextID
        }
        if registered == nil { lifetime.end(.serverShutdown) }
        return registered
    }

    /// Stops tracking the lifetime registered as `id`.
    func unregister(_ id: UInt64) {
        _ = state.withLock { $0.lifetimes.removeValue(forKey: id) }
    }

    /// Ends every tracked request with ``RequestLifetime/EndReason/serverShutdown``.
    func endAll() {
        let lifetimes = state.withLock { state -> [RequestLifetime] in
            state.stopping = true
            return Array(state.lifetimes.values)
        }
        for lifetime in lifetimes { lifetime.end(.serverShutdown) }
    }

    /// Number of live requests in progress.
    var count: Int { state.withLock { $0.lifetimes.count } }
}
