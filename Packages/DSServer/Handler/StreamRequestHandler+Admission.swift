import DSProtocol
import NIOCore
import NIOHTTP1

extension StreamRequestHandler {
    /// Asks the authoriser and the per-client limits about a stream request before any store work.
    /// - Returns: the refusal (`401`, `403`, `429`), or `nil` to go ahead.
    func admit(_ request: StreamRequest, context: RequestContext) -> StreamResponse? {
        guard let action = StreamAction(method: request.method) else { return nil }
        var principal: String?
        if let authorizer = operations.authorizer {
            let ask = { (resource: ProtectedResource) in
                authorizer.authorize(
                    AuthorizationRequest(method: request.method, resource: resource, headers: request.headers, clientAddress: context.clientAddress)
                )
            }
            var decision = ask(.stream(path: request.streamPath, action: action))
            // A fork also reads its source.
            if case .allow = decision, action == .create,
                let source = request.headers.first(name: ProtocolHeader.streamForkedFrom),
                case .stream(let sourcePath) = StreamPathRouter(streamRoot: options.streamRoot).forkSource(source)
            {
                let sourceDecision = ask(.stream(path: sourcePath, action: .read))
                if case .allow = sourceDecision {} else { decision = sourceDecision }
            }
            if let denied = operations.denial(decision, requestHeaders: request.headers, handler: self) { return denied }
            if case .allow(let name) = decision { principal = name }
        }
        guard let limiter = operations.limiter else { return nil }
        let key = clientKey(principal: principal, address: context.clientAddress, by: limiter.options.clientKey)
        if let refusal = limiter.admit(key, bodyBytes: request.body.readableBytes) {
            return operations.tooManyRequests(refusal, handler: self)
        }
        if request.method == .GET, request.query[QueryParameter.live] != nil, limiter.options.maxLiveRequestsPerClient != nil {
            guard limiter.acquireLive(key) else {
                return operations.tooManyRequests(ClientLimiter.Refusal(reason: "live", retryAfterSeconds: 1), handler: self)
            }
            context.lifetime.onEnd { _ in limiter.releaseLive(key) }
        }
        return nil
    }

    /// Rate limits for a request to the reserved namespace (`__ds`, the subscription API), keyed by the client's
    /// address: that API authorises its requests itself, so no principal is known here.
    func admitReserved(bodyBytes: Int, context: RequestContext) -> StreamResponse? {
        guard let limiter = operations.limiter else { return nil }
        let key = clientKey(principal: nil, address: context.clientAddress, by: .address)
        guard let refusal = limiter.admit(key, bodyBytes: bodyBytes) else { return nil }
        return operations.tooManyRequests(refusal, handler: self)
    }

    private func clientKey(principal: String?, address: SocketAddress?, by key: RateLimitOptions.ClientKey) -> String {
        if key == .principal, let principal { return "principal:" + principal }
        return "address:" + (address?.ipAddress ?? "unknown")
    }
}
