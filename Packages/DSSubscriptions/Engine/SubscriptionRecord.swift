import DSProtocol

/// Everything the server knows about one subscription; persisted as part of ``EngineSnapshot``.
struct SubscriptionRecord: Codable, Sendable {
    var id: String
    /// Random per creation, so tokens of a deleted subscription never fit a new one with the same id.
    var incarnation: String
    var config: SubscriptionConfig
    var configHash: String
    /// Unix milliseconds.
    var createdAt: Int64
    /// Linked streams by path.
    var links: [String: StreamLink]
    /// The fencing counter: incremented for every wake.
    var generation: UInt64
    /// The wake in flight (webhook sent, or pull-wake event written / claimed), if any.
    var wake: Wake?
    /// Set while a failed webhook delivery waits for its next attempt.
    var retry: Retry?

    /// One linked stream.
    struct StreamLink: Codable, Sendable {
        var explicit: Bool
        var glob: Bool
        /// Last processed offset, inclusive.
        var acked: String
        /// The last tail the service saw.
        var tail: String

        var linkType: String { explicit ? "explicit" : "glob" }
        var ackedOffset: StreamOffset { StreamOffset(acked) ?? .zero }
        var tailOffset: StreamOffset { StreamOffset(tail) ?? .zero }
        var hasPending: Bool { tailOffset > ackedOffset }
    }

    /// One wake generation.
    struct Wake: Codable, Sendable {
        var id: String
        var generation: UInt64
        /// The tails sent with the wake (webhook), applied by `{ "done": true }`.
        var snapshot: [String: String]
        /// Pull-wake: the worker holding the lease; webhook: `nil`.
        var holder: String?
        /// When the lease ends (Unix ms); `nil` while a pull-wake waits to be claimed.
        var leaseExpiresAt: Int64?
    }

    /// Retry state of a failed webhook delivery.
    struct Retry: Codable, Sendable {
        var attempts: Int
        /// Unix milliseconds.
        var nextAttemptAt: Int64
        var lastError: String
    }

    var hasPending: Bool { links.values.contains { $0.hasPending } }

    /// `failed` while a webhook retry is scheduled.
    var status: String { retry == nil ? "active" : "failed" }

    /// Whether `path` is matched by the pattern (a pull-wake subscription never links its own wake stream).
    func patternMatches(_ path: String) -> Bool {
        guard let pattern = config.pattern, path != config.wakeStream else { return false }
        return GlobPattern.matches(pattern, path)
    }
}

/// The whole persisted state of the subscription service.
struct EngineSnapshot: Codable, Sendable {
    var version = 1
    var subscriptions: [String: SubscriptionRecord] = [:]
}
