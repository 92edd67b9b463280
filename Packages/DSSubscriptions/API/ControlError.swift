import NIOHTTP1

/// Every refusal of the subscription control API: one stable `code`, one status, one message.
/// Serialised as `{"error":{"code":…,"message":…}}`.
enum ControlError: Error, Sendable, Equatable {
    /// Malformed body, unknown field values, bad offsets.
    case invalidRequest(String)
    /// No subscription with that id (never created, or deleted).
    case subscriptionNotFound(String)
    /// An existing subscription has a different configuration.
    case subscriptionExists(String)
    /// A webhook URL that fails the SSRF rules (PROTOCOL.md §12.8).
    case webhookURLRejected(String)
    /// The server's authoriser found no valid credentials for a subscription request.
    case unauthenticated(String, credentialsSent: Bool)
    /// The server's authoriser found credentials without the needed scope.
    case forbidden(String)
    /// A missing, malformed or wrongly signed bearer token.
    case tokenInvalid(String)
    /// A token past its expiry.
    case tokenExpired
    /// A stale or replayed callback, ack or release (PROTOCOL.md §7.3).
    case fenced
    /// Another worker holds the lease.
    case alreadyClaimed(holder: String, generation: UInt64)
    /// A control path that does not exist.
    case notFound(String)
    /// A method the path does not support.
    case methodNotAllowed(allowed: String)
    /// The service cannot persist its state.
    case unavailable(String)

    var code: String {
        switch self {
        case .invalidRequest: "INVALID_REQUEST"
        case .subscriptionNotFound: "SUBSCRIPTION_NOT_FOUND"
        case .subscriptionExists: "SUBSCRIPTION_EXISTS"
        case .webhookURLRejected: "WEBHOOK_URL_REJECTED"
        case .unauthenticated: "UNAUTHORIZED"
        case .forbidden: "FORBIDDEN"
        case .tokenInvalid: "TOKEN_INVALID"
        case .tokenExpired: "TOKEN_EXPIRED"
        case .fenced: "FENCED"
        case .alreadyClaimed: "ALREADY_CLAIMED"
        case .notFound: "NOT_FOUND"
        case .methodNotAllowed: "METHOD_NOT_ALLOWED"
        case .unavailable: "UNAVAILABLE"
        }
    }

    var status: HTTPResponseStatus {
        switch self {
        case .invalidRequest, .webhookURLRejected: .badRequest
        case .subscriptionNotFound, .notFound: .notFound
        case .subscriptionExists, .fenced, .alreadyClaimed: .conflict
        case .tokenInvalid, .tokenExpired, .unauthenticated: .unauthorized
        case .forbidden: .forbidden
        case .methodNotAllowed: .methodNotAllowed
        case .unavailable: .serviceUnavailable
        }
    }

    var message: String {
        switch self {
        case .invalidRequest(let reason): reason
        case .subscriptionNotFound(let id): "no subscription \(id)"
        case .subscriptionExists(let id): "subscription \(id) exists with a different configuration"
        case .webhookURLRejected(let reason): "webhook URL rejected: \(reason)"
        case .unauthenticated(let reason, _): reason
        case .forbidden(let reason): reason
        case .tokenInvalid(let reason): "invalid token: \(reason)"
        case .tokenExpired: "the token has expired"
        case .fenced: "the wake is stale: generation or wake_id does not match the current wake"
        case .alreadyClaimed(let holder, _): "the subscription is claimed by \(holder)"
        case .notFound(let path): "no control API at \(path)"
        case .methodNotAllowed(let allowed): "method not allowed; use \(allowed)"
        case .unavailable(let reason): reason
        }
    }

    /// The JSON body.
    var body: JSONValue {
        var members: [(String, JSONValue)] = [("code", .string(code)), ("message", .string(message))]
        if case .alreadyClaimed(let holder, let generation) = self {
            members.append(("current_holder", .string(holder)))
            members.append(("generation", .int(Int64(generation))))
        }
        return .object([("error", .object(members))])
    }
}
