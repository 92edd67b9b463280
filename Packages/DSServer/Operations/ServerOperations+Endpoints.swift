import NIOCore
import NIOHTTP1

extension ServerOperations {
    /// Which operations endpoint a path names.
    enum Endpoint {
        case metrics
        case health
        case readiness
    }

    /// The endpoint at `path` (the request target without its query), if any.
    func endpoint(at path: Substring) -> Endpoint? {
        if path == options.healthPath { return .health }
        if path == options.readinessPath { return .readiness }
        if path == options.metricsPath && options.renderMetrics != nil { return .metrics }
        return nil
    }

    /// Answers an operations endpoint: liveness, readiness (the store's own check, failing while draining),
    /// or the rendered metrics, after the authoriser when the endpoint is protected.
    func answer(
        _ endpoint: Endpoint,
        method: HTTPMethod,
        headers: HTTPHeaders,
        clientAddress: SocketAddress?,
        handler: StreamRequestHandler,
        eventLoop: any EventLoop
    ) -> EventLoopFuture<StreamResponse> {
        guard method == .GET || method == .HEAD else {
            var response = handler.errorResponse(.methodNotAllowed, "only GET and HEAD are supported here")
            response.headers.add(name: "Allow", value: "GET, HEAD")
            return eventLoop.makeSucceededFuture(response)
        }
        let protected = endpoint == .metrics ? options.protectMetrics : options.protectHealth
        if protected, let authorizer {
            let resource: ProtectedResource = endpoint == .metrics ? .metrics : .health
            let decision = authorizer.authorize(
                AuthorizationRequest(method: method, resource: resource, headers: headers, clientAddress: clientAddress)
            )
            if let denied = denial(decision, requestHeaders: headers, handler: handler) {
                return eventLoop.makeSucceededFuture(denied)
            }
        }
        switch endpoint {
        case .health:
            return eventLoop.makeSucceededFuture(Self.plain(.ok, "ok"))
        case .readiness:
            guard !isDraining else {
                return eventLoop.makeSucceededFuture(Self.plain(.serviceUnavailable, "draining: the server is shutting down"))
            }
            return store.readiness(on: eventLoop).map { Self.plain(.ok, "ready") }.flatMapErrorThrowing { error in
                Self.plain(.serviceUnavailable, "not ready: \(error)")
            }
        case .metrics:
            let body = options.renderMetrics?() ?? ByteBuffer()
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: options.metricsContentType)
            headers.add(name: "Cache-Control", value: "no-store")
            return eventLoop.makeSucceededFuture(StreamResponse(status: .ok, headers: headers, body: .buffers([body])))
        }
    }

    static func plain(_ status: HTTPResponseStatus, _ text: String) -> StreamResponse {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
        headers.add(name: "Cache-Control", value: "no-store")
        return StreamResponse(status: status, headers: headers, body: .buffers([ByteBuffer(string: text + "\n")]))
    }

    /// `401` (with a `Bearer` challenge) or `403` for a refusal; `nil` when the decision allows.
    func denial(_ decision: AuthorizationDecision, requestHeaders: HTTPHeaders, handler: StreamRequestHandler) -> StreamResponse? {
        switch decision {
        case .allow:
            return nil
        case .unauthenticated(let reason):
            metrics.authDenied(status: 401)
            var response = handler.errorResponse(.unauthorized, reason)
            let challenge = requestHeaders.contains(name: "Authorization")
                ? #"Bearer realm="durable-streams", error="invalid_token""#
                : #"Bearer realm="durable-streams""#
            response.headers.add(name: "WWW-Authenticate", value: challenge)
            return response
        case .forbidden(let reason):
            metrics.authDenied(status: 403)
            var response = handler.errorResponse(.forbidden, reason)
            response.headers.add(name: "WWW-Authenticate", value: #"Bearer realm="durable-streams", error="insufficient_scope""#)
            return response
        }
    }

    /// `429` with `Retry-After`.
    func tooManyRequests(_ refusal: ClientLimiter.Refusal, handler: StreamRequestHandler) -> StreamResponse {
        metrics.rateLimited(refusal.reason)
        let reason: String
        switch refusal.reason {
        case "live": reason = "too many live reads open from this client"
        case "bytes": reason = "byte rate limit exceeded"
        default: reason = "request rate limit exceeded"
        }
        var response = handler.errorResponse(.tooManyRequests, "\(reason); retry after \(refusal.retryAfterSeconds) s")
        response.headers.add(name: "Retry-After", value: String(refusal.retryAfterSeconds))
        return response
    }
}
