import DSProtocol
import DSServer
import DSStore
import NIOCore
import NIOHTTP1
import NIOPosix

extension SubscriptionService {
    /// Answers one `__ds` request.
    public func handle(_ request: ControlRequest, context: RequestContext) -> EventLoopFuture<StreamResponse> {
        context.eventLoop.makeFutureWithTask {
            do {
                return try await self.route(request, clientAddress: context.clientAddress)
            } catch {
                return Self.response(error)
            }
        }
    }

    private func route(_ request: ControlRequest, clientAddress: SocketAddress?) async throws(ControlError) -> StreamResponse {
        let subpath = request.subpath
        if subpath == "/jwks.json" {
            guard request.method == .GET || request.method == .HEAD else { throw .methodNotAllowed(allowed: "GET, HEAD") }
            return jwks()
        }
        let prefix = "/subscriptions/"
        guard subpath.hasPrefix(prefix) else { throw .notFound(subpath) }
        let rest = subpath.dropFirst(prefix.count)
        let id: String
        var action: Substring = ""
        if let slash = rest.firstIndex(of: "/") {
            id = String(rest[..<slash])
            action = rest[rest.index(after: slash)...]
        } else {
            id = String(rest)
        }
        guard SubscriptionID.isValid(id) else { throw .invalidRequest("invalid subscription id") }
        if let needed = Self.authorizedAction(action, request.method) {
            try authorize(.subscription(id: id, action: needed), request: request, clientAddress: clientAddress)
        }
        let body = Array(request.body.readableBytesView)
        let authorization = request.headers.first(name: "Authorization")
        switch (action, request.method) {
        case ("", .PUT): return try await put(id: id, body: body)
        case ("", .GET): return try get(id: id)
        case ("", .DELETE): return try await delete(id: id)
        case ("", _): throw .methodNotAllowed(allowed: "GET, PUT, DELETE")
        case ("streams", .POST): return try await addStreams(id: id, body: body)
        case (let tail, .DELETE) where tail.hasPrefix("streams/"):
            return try await removeStream(id: id, path: String(tail.dropFirst("streams/".count)))
        case ("callback", .POST), ("ack", .POST):
            return try await report(id: id, authorization: authorization, body: body, webhook: action == "callback")
        case ("claim", .POST): return try await claim(id: id, body: body)
        case ("release", .POST): return try await release(id: id, authorization: authorization, body: body)
        case ("streams", _), ("callback", _), ("ack", _), ("claim", _), ("release", _): throw .methodNotAllowed(allowed: "POST")
        default: throw .notFound(subpath)
        }
    }

    // MARK: - Authorisation

    /// What the authoriser is asked about for a path below `subscriptions/:id` and a method; `nil` for the
    /// callback, ack and release paths (their wake token is checked instead) and for unsupported combinations.
    static func authorizedAction(_ action: Substring, _ method: HTTPMethod) -> SubscriptionAction? {
        switch (action, method) {
        case ("", .GET), ("", .HEAD): return .read
        case ("", .PUT), ("", .DELETE), ("streams", .POST): return .manage
        case (let tail, .DELETE) where tail.hasPrefix("streams/"): return .manage
        case ("claim", .POST): return .claim
        default: return nil
        }
    }

    /// Asks the server's authoriser, when it has one; throws `401`/`403` on refusal.
    private func authorize(_ resource: ProtectedResource, request: ControlRequest, clientAddress: SocketAddress?) throws(ControlError) {
        guard let (authorizer, metrics) = runtime.withLock({ runtime in runtime.flatMap { r in r.environment.authorizer.map { ($0, r.metrics) } } })
        else { return }
        let decision = authorizer.authorize(
            AuthorizationRequest(method: request.method, resource: resource, headers: request.headers, clientAddress: clientAddress)
        )
        switch decision {
        case .allow:
            return
        case .unauthenticated(let reason):
            metrics.authorizationDenied(status: 401)
            throw .unauthenticated(reason, credentialsSent: request.headers.contains(name: "Authorization"))
        case .forbidden(let reason):
            metrics.authorizationDenied(status: 403)
            throw .forbidden(reason)
        }
    }

    // MARK: - Resources

    private func put(id: String, body: [UInt8]) async throws(ControlError) -> StreamResponse {
        let config = try SubscriptionConfig.parse(try JSONInput.object(body))
        if let url = config.webhookURL { _ = try WebhookURLPolicy(developmentMode: options.developmentMode).check(url) }
        if let existing = try transition({ core in core.subscriptions[id] }) {
            guard existing.configHash == config.hash else { throw .subscriptionExists(id) }
            return try representation(id: id, status: .ok)
        }
        let streams = try await listStreams()
        let now = Self.now()
        let created = try transition { (core: inout SubscriptionCore) throws(ControlError) -> Bool in
            if let existing = core.subscriptions[id] {
                guard existing.configHash == config.hash else { throw .subscriptionExists(id) }
                return false
            }
            _ = core.create(id: id, config: config, existing: streams, now: now)
            return true
        }
        updateSubscriptionCount()
        try await saveOrFail()
        return try representation(id: id, status: created ? .created : .ok)
    }

    private func get(id: String) throws(ControlError) -> StreamResponse {
        try representation(id: id, status: .ok)
    }

    private func delete(id: String) async throws(ControlError) -> StreamResponse {
        try transition { (core: inout SubscriptionCore) throws(ControlError) in
            guard core.subscriptions.removeValue(forKey: id) != nil else { throw .subscriptionNotFound(id) }
            core.version += 1
        }
        updateSubscriptionCount()
        try await saveOrFail()
        return StreamResponse(status: .noContent, headers: Self.headers(contentType: nil))
    }

    private func addStreams(id: String, body: [UInt8]) async throws(ControlError) -> StreamResponse {
        let members = try JSONInput.object(body)
        guard let array = members["streams"]?.array else { throw .invalidRequest("streams must be an array of stream paths") }
        var paths: [String] = []
        for item in array {
            guard let path = item.string else { throw .invalidRequest("streams must be an array of stream paths") }
            paths.append(try StreamPathRule.validate(path))
        }
        _ = try transition { (core: inout SubscriptionCore) throws(ControlError) in
            guard core.subscriptions[id] != nil else { throw .subscriptionNotFound(id) }
        }
        let tails = Dictionary(try await listStreams().map { ($0.path, $0.tail) }, uniquingKeysWith: { first, _ in first })
        try transition { (core: inout SubscriptionCore) throws(ControlError) in try core.addExplicit(id: id, paths: paths, tails: tails) }
        let effects = (try? transition { $0.wakeIfNeeded(id, now: Self.now()) }) ?? []
        try await saveOrFail()
        perform(effects)
        return StreamResponse(status: .noContent, headers: Self.headers(contentType: nil))
    }

    private func removeStream(id: String, path: String) async throws(ControlError) -> StreamResponse {
        guard !path.isEmpty else { throw .invalidRequest("a stream path is required") }
        try transition { (core: inout SubscriptionCore) throws(ControlError) in try core.removeExplicit(id: id, path: path) }
        try await saveOrFail()
        return StreamResponse(status: .noContent, headers: Self.headers(contentType: nil))
    }

    // MARK: - Delivery endpoints

    private func report(id: String, authorization: String?, body: [UInt8], webhook: Bool) async throws(ControlError) -> StreamResponse {
        let token = try verifiedToken(authorization)
        let report = try WakeReport.parse(try JSONInput.object(body), allowAcks: true)
        try await checkAcksWithinTails(report.acks)
        let (outcome, effects) = try transition { (core: inout SubscriptionCore) throws(ControlError) in
            guard let record = core.subscriptions[id] else { throw .subscriptionNotFound(id) }
            let expected: DeliveryType = webhook ? .webhook : .pullWake
            guard record.config.type == expected else {
                throw .invalidRequest(webhook ? "callback is for webhook subscriptions; use ack" : "ack is for pull-wake subscriptions; use callback")
            }
            return try core.report(id: id, token: token, report: report, now: Self.now())
        }
        try await saveOrFail()
        perform(effects)
        return Self.json(.object([("ok", .bool(true)), ("next_wake", .bool(outcome.nextWake))]), status: .ok)
    }

    private func claim(id: String, body: [UInt8]) async throws(ControlError) -> StreamResponse {
        let members = body.isEmpty ? [:] : try JSONInput.object(body)
        guard let worker = members["worker"]?.string, !worker.isEmpty else { throw .invalidRequest("worker is required") }
        let (reply, effects) = try transition { (core: inout SubscriptionCore) throws(ControlError) in
            try core.claim(id: id, worker: worker, now: Self.now())
        }
        try await saveOrFail()
        perform(effects)
        return Self.json(reply, status: .ok)
    }

    private func release(id: String, authorization: String?, body: [UInt8]) async throws(ControlError) -> StreamResponse {
        let token = try verifiedToken(authorization)
        let report = try WakeReport.parse(try JSONInput.object(body), allowAcks: false)
        let effects = try transition { (core: inout SubscriptionCore) throws(ControlError) in
            // A webhook's callback token is for its callback path only (PROTOCOL.md §7.1).
            guard let record = core.subscriptions[id] else { throw .subscriptionNotFound(id) }
            guard record.config.type == .pullWake else { throw .invalidRequest("release is for pull-wake subscriptions; use callback") }
            return try core.release(id: id, token: token, wakeID: report.wakeID, generation: report.generation, now: Self.now())
        }
        try await saveOrFail()
        perform(effects)
        return StreamResponse(status: .noContent, headers: Self.headers(contentType: nil))
    }

    private func jwks() -> StreamResponse {
        guard let signing = runtime.withLock({ $0?.signing }) else { return Self.response(ControlError.unavailable("not started")) }
        var response = Self.json(signing.jwks, status: .ok, contentType: "application/jwk-set+json")
        response.headers.replaceOrAdd(name: "Cache-Control", value: "public, max-age=300")
        return response
    }

    // MARK: - Helpers

    /// Refuses acks past a stream's real tail: such an ack would hide future data from the cursor.
    private func checkAcksWithinTails(_ acks: [StreamAck]) async throws(ControlError) {
        guard !acks.isEmpty, let store = runtime.withLock({ $0?.environment.store }) else { return }
        let eventLoop = MultiThreadedEventLoopGroup.singleton.any()
        for ack in acks where ack.offset > .zero {
            let tail = try? await store.metadata(path: ack.stream, now: .now(), on: eventLoop).get().tail
            guard let tail, ack.offset <= tail else {
                throw .invalidRequest("offset \(ack.offset) is beyond the tail of \(ack.stream)")
            }
        }
    }

    private func verifiedToken(_ authorization: String?) throws(ControlError) -> WakeToken {
        guard let tokens = core.withLock({ $0.tokens }) else { throw .unavailable("not started") }
        return try tokens.verify(authorization: authorization, now: Self.now() / 1000)
    }

    private func representation(id: String, status: HTTPResponseStatus) throws(ControlError) -> StreamResponse {
        guard let signing = runtime.withLock({ $0?.signing }) else { throw .unavailable("not started") }
        let body = try transition { (core: inout SubscriptionCore) throws(ControlError) -> JSONValue in
            guard let record = core.subscriptions[id] else { throw .subscriptionNotFound(id) }
            return core.representation(record, signing: signing)
        }
        return Self.json(body, status: status)
    }

    private func listStreams() async throws(ControlError) -> [StreamInfo] {
        guard let store = runtime.withLock({ $0?.environment.store }) else { throw .unavailable("not started") }
        do {
            return try await store.list(now: .now(), on: MultiThreadedEventLoopGroup.singleton.any()).get()
        } catch {
            throw .unavailable("cannot list streams: \(error)")
        }
    }

    private func saveOrFail() async throws(ControlError) {
        do {
            try await save()
        } catch {
            logger.error("cannot persist subscription state", metadata: ["error": "\(error)"])
            throw .unavailable("cannot persist subscription state")
        }
    }

    static func headers(contentType: String?) -> HTTPHeaders {
        var headers = HTTPHeaders()
        if let contentType { headers.add(name: "Content-Type", value: contentType) }
        headers.add(name: "Cache-Control", value: "no-store")
        return headers
    }

    static func json(_ value: JSONValue, status: HTTPResponseStatus, contentType: String = "application/json") -> StreamResponse {
        StreamResponse(status: status, headers: headers(contentType: contentType), body: .buffers([ByteBuffer(string: value.serialized())]))
    }

    static func response(_ error: any Error) -> StreamResponse {
        let control = (error as? ControlError) ?? .unavailable("internal error")
        var response = json(control.body, status: control.status)
        switch control {
        case .methodNotAllowed(let allowed):
            response.headers.add(name: "Allow", value: allowed)
        case .unauthenticated(_, let credentialsSent):
            let challenge = credentialsSent ? #"Bearer realm="durable-streams", error="invalid_token""# : #"Bearer realm="durable-streams""#
            response.headers.add(name: "WWW-Authenticate", value: challenge)
        case .forbidden:
            response.headers.add(name: "WWW-Authenticate", value: #"Bearer realm="durable-streams", error="insufficient_scope""#)
        default:
            break
        }
        return response
    }
}
