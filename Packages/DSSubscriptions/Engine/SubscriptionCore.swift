import DSProtocol
import Foundation

/// The subscription state machine (PROTOCOL.md §7): pure state transitions under the service's lock.
/// Every method returns the ``Effect``s the caller must carry out once the lock is released.
struct SubscriptionCore: Sendable {
    var subscriptions: [String: SubscriptionRecord] = [:]
    /// Incremented on every change, so persistence can skip writes that would change nothing.
    var version: UInt64 = 0
    /// Where callback and JWKS URLs point: `scheme://host:port` plus the stream root.
    var streamRootURL = ""
    var tokens: TokenSigner?

    var snapshot: EngineSnapshot { EngineSnapshot(subscriptions: subscriptions) }

    // MARK: - Waking

    /// Issues a new wake when the subscription is idle and has pending work; clears expired leases.
    mutating func wakeIfNeeded(_ id: String, now: Int64) -> [Effect] {
        guard var record = subscriptions[id] else { return [] }
        defer { subscriptions[id] = record; version += 1 }
        if let wake = record.wake {
            if let lease = wake.leaseExpiresAt, lease <= now {
                record.wake = nil  // lease expired: clear the holder and its token
            } else {
                return wake.leaseExpiresAt.map { [.timer(subscriptionID: id, at: $0)] } ?? []
            }
        }
        guard record.hasPending else {
            record.retry = nil
            return []
        }
        if let retry = record.retry, retry.nextAttemptAt > now { return [.timer(subscriptionID: id, at: retry.nextAttemptAt)] }
        record.generation += 1
        let wake = SubscriptionRecord.Wake(
            id: Self.newWakeID(),
            generation: record.generation,
            snapshot: record.links.mapValues(\.tail),
            holder: nil,
            leaseExpiresAt: record.config.type == .webhook ? now + record.config.leaseTTLMilliseconds : nil
        )
        record.wake = wake
        switch record.config.type {
        case .webhook:
            let delivery = webhookDelivery(record, wake: wake, now: now)
            return [.deliver(delivery), .timer(subscriptionID: id, at: wake.leaseExpiresAt!)]
        case .pullWake:
            let events = record.links.keys.sorted().filter { record.links[$0]!.hasPending }.map { path in
                JSONValue.object([
                    ("type", .string("wake")),
                    ("subscription_id", .string(id)),
                    ("stream", .string(path)),
                    ("generation", .int(Int64(wake.generation))),
                    ("ts", .int(now)),
                ])
            }
            return [.appendWakeEvents(wakeStream: record.config.wakeStream!, events: events)]
        }
    }

    private func webhookDelivery(_ record: SubscriptionRecord, wake: SubscriptionRecord.Wake, now: Int64) -> WebhookDelivery {
        let token = tokens!.sign(WakeToken(
            sub: record.id, inc: record.incarnation, gen: wake.generation, wake: wake.id, exp: now / 1000 + TokenSigner.lifetimeSeconds
        ))
        let body = JSONValue.object([
            ("subscription_id", .string(record.id)),
            ("wake_id", .string(wake.id)),
            ("generation", .int(Int64(wake.generation))),
            ("streams", Self.streamStates(record, snapshot: wake.snapshot)),
            ("callback_url", .string(streamRootURL + "__ds/subscriptions/" + record.id + "/callback")),
            ("callback_token", .string(token)),
        ]).serialized()
        return WebhookDelivery(
            subscriptionID: record.id,
            incarnation: record.incarnation,
            wakeID: wake.id,
            generation: wake.generation,
            url: record.config.webhookURL!,
            body: Array(body.utf8)
        )
    }

    /// `streams[]` of a wake or claim: path, link type, acked and tail offsets, pending flag.
    static func streamStates(_ record: SubscriptionRecord, snapshot: [String: String]) -> JSONValue {
        .array(record.links.keys.sorted().map { path in
            let link = record.links[path]!
            let tail = snapshot[path].flatMap { StreamOffset($0) } ?? link.tailOffset
            return .object([
                ("path", .string(path)),
                ("link_type", .string(link.linkType)),
                ("acked_offset", .string(link.acked)),
                ("tail_offset", .string(tail.description)),
                ("has_pending", .bool(tail > link.ackedOffset)),
            ])
        })
    }

    static func newWakeID() -> String {
        "w_" + Base64URL.encode((0..<12).map { _ in UInt8.random(in: 0...255) })
    }

    // MARK: - Stream observation

    /// New data in `path`: updates tails, links newly matching streams, wakes idle subscriptions.
    mutating func streamAppended(_ path: String, tail: StreamOffset, now: Int64) -> [Effect] {
        var effects: [Effect] = []
        for id in subscriptions.keys {
            guard var record = subscriptions[id] else { continue }
            if var link = record.links[path] {
                if tail > link.tailOffset { link.tail = tail.description }
                record.links[path] = link
            } else if record.patternMatches(path) {
                // Discovered by this append: linked before it, so the append is pending.
                record.links[path] = .init(explicit: false, glob: true, acked: StreamOffset.zero.description, tail: tail.description)
            } else {
                continue
            }
            subscriptions[id] = record
            effects += wakeIfNeeded(id, now: now)
        }
        return effects
    }

    /// A stream was created: links it to matching patterns from `base` (its start, or its fork offset).
    mutating func streamCreated(_ path: String, base: StreamOffset, tail: StreamOffset, now: Int64) -> [Effect] {
        var effects: [Effect] = []
        for id in subscriptions.keys {
            guard var record = subscriptions[id] else { continue }
            if var link = record.links[path] {
                link.acked = base.description
                link.tail = tail.description
                record.links[path] = link
            } else if record.patternMatches(path) {
                record.links[path] = .init(explicit: false, glob: true, acked: base.description, tail: tail.description)
            } else {
                continue
            }
            subscriptions[id] = record
            effects += wakeIfNeeded(id, now: now)
        }
        return effects
    }

    /// A stream was deleted or expired: glob links go; explicit links stay, reset for a future stream.
    mutating func streamRemoved(_ path: String) {
        for id in subscriptions.keys {
            guard var link = subscriptions[id]?.links[path] else { continue }
            if link.explicit {
                link.glob = false
                link.acked = StreamOffset.zero.description
                link.tail = StreamOffset.zero.description
                subscriptions[id]!.links[path] = link
            } else {
                subscriptions[id]!.links[path] = nil
            }
            version += 1
        }
    }
}
