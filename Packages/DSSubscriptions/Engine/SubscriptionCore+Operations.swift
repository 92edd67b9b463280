import DSProtocol
import DSStore
import Foundation

/// An ack in a callback or ack body.
struct StreamAck: Sendable {
    var stream: String
    var offset: StreamOffset
}

/// A parsed callback, ack or release body.
struct WakeReport: Sendable {
    var wakeID: String
    var generation: UInt64
    var acks: [StreamAck]
    var done: Bool

    static func parse(_ body: [String: JSONInput], allowAcks: Bool) throws(ControlError) -> WakeReport {
        guard let wakeID = body["wake_id"]?.string else { throw .invalidRequest("wake_id is required") }
        guard let generation = body["generation"]?.int, generation >= 0 else { throw .invalidRequest("generation must be an integer") }
        var acks: [StreamAck] = []
        if allowAcks, let value = body["acks"], !value.isNull {
            guard let array = value.array else { throw .invalidRequest("acks must be an array") }
            for item in array {
                guard let object = item.object, let stream = object["stream"]?.string, let offsetText = object["offset"]?.string else {
                    throw .invalidRequest("each ack needs stream and offset")
                }
                guard let offset = StreamOffset(offsetText) else { throw .invalidRequest("invalid offset \(offsetText)") }
                acks.append(StreamAck(stream: stream, offset: offset))
            }
        }
        var done = false
        if let value = body["done"], !value.isNull {
            guard let flag = value.bool else { throw .invalidRequest("done must be a boolean") }
            done = flag
        }
        return WakeReport(wakeID: wakeID, generation: UInt64(generation), acks: acks, done: done)
    }
}

/// The result of a successful callback or ack.
struct ReportOutcome: Sendable {
    var nextWake: Bool
}

extension SubscriptionCore {
    // MARK: - Creation and membership

    /// Creates a subscription, linking explicit streams and existing pattern matches at their tails.
    mutating func create(id: String, config: SubscriptionConfig, existing: [StreamInfo], now: Int64) -> SubscriptionRecord {
        var record = SubscriptionRecord(
            id: id,
            incarnation: UUID().uuidString.lowercased(),
            config: config,
            configHash: config.hash,
            createdAt: now,
            links: [:],
            generation: 0,
            wake: nil,
            retry: nil
        )
        let tails = Dictionary(existing.map { ($0.path, $0.tail) }, uniquingKeysWith: { first, _ in first })
        for path in config.streams {
            let tail = (tails[path] ?? .zero).description
            record.links[path] = .init(explicit: true, glob: record.patternMatches(path), acked: tail, tail: tail)
        }
        for info in existing where record.links[info.path] == nil && record.patternMatches(info.path) {
            record.links[info.path] = .init(explicit: false, glob: true, acked: info.tail.description, tail: info.tail.description)
        }
        subscriptions[id] = record
        version += 1
        return record
    }

    /// Adds explicit links (idempotent); new ones start at the stream's current tail.
    mutating func addExplicit(id: String, paths: [String], tails: [String: StreamOffset]) throws(ControlError) {
        guard var record = subscriptions[id] else { throw .subscriptionNotFound(id) }
        for path in paths {
            if var link = record.links[path] {
                link.explicit = true
                record.links[path] = link
            } else {
                let tail = (tails[path] ?? .zero).description
                record.links[path] = .init(explicit: true, glob: record.patternMatches(path), acked: tail, tail: tail)
            }
        }
        subscriptions[id] = record
        version += 1
    }

    /// Removes an explicit link (idempotent); a glob link stays while the pattern matches.
    mutating func removeExplicit(id: String, path: String) throws(ControlError) {
        guard var record = subscriptions[id] else { throw .subscriptionNotFound(id) }
        if var link = record.links[path] {
            link.explicit = false
            link.glob = link.glob || record.patternMatches(path)
            record.links[path] = link.glob ? link : nil
        }
        subscriptions[id] = record
        version += 1
    }

    // MARK: - Claims, acks, callbacks, releases

    /// A pull-wake worker claims the subscription: takes the outstanding wake (or starts one) and its lease.
    mutating func claim(id: String, worker: String, now: Int64) throws(ControlError) -> (JSONValue, [Effect]) {
        guard var record = subscriptions[id] else { throw .subscriptionNotFound(id) }
        guard record.config.type == .pullWake else { throw .invalidRequest("claim is for pull-wake subscriptions") }
        if let lease = record.wake?.leaseExpiresAt, lease <= now { record.wake = nil }
        if let wake = record.wake, let holder = wake.holder { throw .alreadyClaimed(holder: holder, generation: wake.generation) }
        var wake: SubscriptionRecord.Wake
        if let outstanding = record.wake {
            wake = outstanding
        } else {
            record.generation += 1
            wake = .init(id: Self.newWakeID(), generation: record.generation, snapshot: [:], holder: nil, leaseExpiresAt: nil)
        }
        wake.snapshot = record.links.mapValues(\.tail)
        wake.holder = worker
        wake.leaseExpiresAt = now + record.config.leaseTTLMilliseconds
        record.wake = wake
        subscriptions[id] = record
        version += 1
        let token = tokens!.sign(WakeToken(
            sub: id, inc: record.incarnation, gen: wake.generation, wake: wake.id, exp: now / 1000 + TokenSigner.lifetimeSeconds
        ))
        let body = JSONValue.object([
            ("wake_id", .string(wake.id)),
            ("generation", .int(Int64(wake.generation))),
            ("token", .string(token)),
            ("streams", Self.streamStates(record, snapshot: wake.snapshot)),
            ("lease_ttl_ms", .int(record.config.leaseTTLMilliseconds)),
        ])
        return (body, [.timer(subscriptionID: id, at: wake.leaseExpiresAt!)])
    }

    /// Checks that a token and report address the current wake (PROTOCOL.md §7.3).
    private func fence(_ record: SubscriptionRecord, token: WakeToken, wakeID: String, generation: UInt64, now: Int64) throws(ControlError) {
        guard token.sub == record.id else { throw .tokenInvalid("the token is for another subscription") }
        guard token.inc == record.incarnation, let wake = record.wake else { throw .fenced }
        if let lease = wake.leaseExpiresAt, lease <= now { throw .fenced }
        guard token.gen == wake.generation, generation == wake.generation, wakeID == wake.id, token.wake == wake.id else { throw .fenced }
        if record.config.type == .pullWake && wake.holder == nil { throw .fenced }
    }

    /// A webhook callback or pull-wake ack: applies acks; `done` ends the wake, otherwise extends the lease.
    mutating func report(
        id: String,
        token: WakeToken,
        report: WakeReport,
        now: Int64
    ) throws(ControlError) -> (ReportOutcome, [Effect]) {
        guard var record = subscriptions[id] else { throw .subscriptionNotFound(id) }
        try fence(record, token: token, wakeID: report.wakeID, generation: report.generation, now: now)
        for ack in report.acks where record.links[ack.stream] == nil {
            throw .invalidRequest("\(ack.stream) is not linked to subscription \(id)")
        }
        for ack in report.acks {
            var link = record.links[ack.stream]!
            if ack.offset > link.ackedOffset { link.acked = ack.offset.description }
            if ack.offset > link.tailOffset { link.tail = ack.offset.description }
            record.links[ack.stream] = link
        }
        record.retry = nil
        if report.done {
            record.wake = nil
            subscriptions[id] = record
            version += 1
            let effects = wakeIfNeeded(id, now: now)
            return (ReportOutcome(nextWake: subscriptions[id]?.wake != nil), effects)
        }
        let lease = now + record.config.leaseTTLMilliseconds
        record.wake!.leaseExpiresAt = lease
        subscriptions[id] = record
        version += 1
        return (ReportOutcome(nextWake: false), [.timer(subscriptionID: id, at: lease)])
    }

    /// A worker gives up its claim without acking; pending work is woken again.
    mutating func release(id: String, token: WakeToken, wakeID: String, generation: UInt64, now: Int64) throws(ControlError) -> [Effect] {
        guard var record = subscriptions[id] else { throw .subscriptionNotFound(id) }
        try fence(record, token: token, wakeID: wakeID, generation: generation, now: now)
        record.wake = nil
        subscriptions[id] = record
        version += 1
        return wakeIfNeeded(id, now: now)
    }

    // MARK: - Webhook results

    /// What a webhook attempt ended with.
    enum DeliveryResult: Sendable {
        /// 2xx with `{ "done": true }`.
        case done
        /// 2xx without `done`: the receiver will call back.
        case accepted
        /// Network error, refused target, or a non-2xx status.
        case failed(String)
    }

    /// Applies a webhook attempt's result to the wake it was for (ignored when that wake is over).
    mutating func deliveryFinished(_ delivery: WebhookDelivery, result: DeliveryResult, now: Int64, retryDelay: (Int) -> Int64) -> [Effect] {
        let id = delivery.subscriptionID
        guard var record = subscriptions[id], record.incarnation == delivery.incarnation,
              let wake = record.wake, wake.id == delivery.wakeID
        else { return [] }
        switch result {
        case .done:
            for (path, tail) in wake.snapshot {
                guard var link = record.links[path], let offset = StreamOffset(tail), offset > link.ackedOffset else { continue }
                link.acked = tail
                record.links[path] = link
            }
            record.wake = nil
            record.retry = nil
            subscriptions[id] = record
            version += 1
            return wakeIfNeeded(id, now: now)
        case .accepted:
            record.retry = nil
            subscriptions[id] = record
            version += 1
            return []
        case .failed(let reason):
            let attempts = (record.retry?.attempts ?? 0) + 1
            let next = now + retryDelay(attempts)
            record.wake = nil
            record.retry = .init(attempts: attempts, nextAttemptAt: next, lastError: reason)
            subscriptions[id] = record
            version += 1
            return [.timer(subscriptionID: id, at: next)]
        }
    }

    // MARK: - Representation

    /// The §6.3 resource body.
    func representation(_ record: SubscriptionRecord, signing: SigningKey) -> JSONValue {
        var webhook = JSONValue.null
        if let url = record.config.webhookURL {
            webhook = .object([
                ("url", .string(url)),
                ("signing", .object([
                    ("alg", .string("ed25519")),
                    ("kid", .string(signing.kid)),
                    ("jwks_url", .string(streamRootURL + "__ds/jwks.json")),
                ])),
            ])
        }
        var members: [(String, JSONValue)] = [
            ("id", .string(record.id)),
            ("subscription_id", .string(record.id)),
            ("type", .string(record.config.type.rawValue)),
            ("pattern", .optional(record.config.pattern)),
            ("streams", .array(record.links.keys.sorted().map { path in
                let link = record.links[path]!
                return .object([("path", .string(path)), ("link_type", .string(link.linkType)), ("acked_offset", .string(link.acked))])
            })),
            ("webhook", webhook),
            ("wake_stream", .optional(record.config.wakeStream)),
            ("lease_ttl_ms", .int(record.config.leaseTTLMilliseconds)),
            ("created_at", .string(RFC3339.format(milliseconds: record.createdAt))),
            ("status", .string(record.status)),
            ("description", .optional(record.config.description)),
            ("generation", .int(Int64(record.generation))),
        ]
        if let retry = record.retry {
            members.append(("retry", .object([
                ("attempts", .int(Int64(retry.attempts))),
                ("next_attempt_at", .string(RFC3339.format(milliseconds: retry.nextAttemptAt))),
                ("last_error", .string(retry.lastError)),
            ])))
        }
        return .object(members)
    }
}
