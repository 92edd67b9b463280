import NIOCore
import NIOHTTP1

/// What a request wants to do to a stream.
public enum StreamAction: String, Sendable, Hashable, CaseIterable {
    /// `GET` and `HEAD`: catch-up and live reads, metadata. Also needed on the source of a fork.
    case read
    /// `POST`: appends and closing.
    case write
    /// `PUT`: creating a stream or a fork.
    case create
    /// `DELETE`.
    case delete
}

/// What a request wants to do with a subscription under the reserved `__ds` namespace (PROTOCOL.md §6–7).
public enum SubscriptionAction: String, Sendable, Hashable, CaseIterable {
    /// `GET` of a subscription: its configuration, linked stream paths and cursors.
    case read
    /// Creating, re-confirming or deleting a subscription, and adding or removing its explicit streams.
    case manage
    /// A pull-wake worker claiming a subscription's wake (`POST …/claim`, the "service JWT" of §7.2).
    case claim
}

/// What an authoriser is asked about.
public enum ProtectedResource: Sendable, Hashable {
    /// An action on the stream at `path` (below the stream root, percent-decoded).
    case stream(path: String, action: StreamAction)
    /// An action on the subscription `id`. Callbacks, acks and releases are not asked about: they carry the
    /// wake's own signed token in `Authorization`. The signing keys (`__ds/jwks.json`) are public.
    case subscription(id: String, action: SubscriptionAction)
    /// The metrics endpoint (only asked when ``OperationsOptions/protectMetrics`` is set).
    case metrics
    /// The health and readiness endpoints (only asked when ``OperationsOptions/protectHealth`` is set).
    case health
}

/// One authorisation question: who asks (headers, address) for what.
public struct AuthorizationRequest: Sendable {
    /// The HTTP method.
    public var method: HTTPMethod
    /// The resource and action.
    public var resource: ProtectedResource
    /// The request headers (`Authorization`, cookies, …).
    public var headers: HTTPHeaders
    /// The client's address (after trusted-proxy resolution), if known.
    public var clientAddress: SocketAddress?

    /// Creates a request.
    public init(method: HTTPMethod, resource: ProtectedResource, headers: HTTPHeaders, clientAddress: SocketAddress?) {
        self.method = method
        self.resource = resource
        self.headers = headers
        self.clientAddress = clientAddress
    }
}

/// An authoriser's answer.
public enum AuthorizationDecision: Sendable, Hashable {
    /// Go ahead. `principal` names the caller (rate limits can be kept per principal).
    case allow(principal: String?)
    /// No or invalid credentials: `401` with `WWW-Authenticate: Bearer` and the short reason.
    case unauthenticated(reason: String)
    /// Valid credentials without the needed scope: `403` with the short reason.
    case forbidden(reason: String)
}

/// Decides whether a request may read, write, create or delete a stream, or see the operations endpoints.
///
/// It is called on an event loop for every request (except CORS preflights), so it must answer quickly
/// and never block: check tokens in memory, verify signatures locally.
public protocol StreamAuthorizer: Sendable {
    /// Answers one request.
    func authorize(_ request: AuthorizationRequest) -> AuthorizationDecision
}

extension StreamAction {
    /// The action a stream request's method asks for; `nil` for methods that need none (`OPTIONS`, unsupported).
    init?(method: HTTPMethod) {
        switch method {
        case .GET, .HEAD: self = .read
        case .POST: self = .write
        case .PUT: self = .create
        case .DELETE: self = .delete
        default: return nil
        }
    }
}
