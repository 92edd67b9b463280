import NIOHTTP1

/// A ``StreamAuthorizer`` for static bearer tokens (`Authorization: Bearer <token>`), each granting actions
/// over stream path prefixes.
///
/// ```swift
/// let authorizer = BearerTokenAuthorizer(grants: [
///     .fullAccess(token: adminToken),
///     BearerTokenAuthorizer.Grant(name: "reader", token: readerToken, read: ["public/"]),
/// ])
/// ```
public struct BearerTokenAuthorizer: StreamAuthorizer {
    /// What one token may do. A prefix matches every stream path that starts with it; `""` or `"*"`
    /// matches every stream (use a trailing `/` for directory-like scopes: `"chat/"`).
    public struct Grant: Sendable, Hashable {
        /// A name for logs and per-token rate limits (never the token itself).
        public var name: String
        /// The secret the client sends.
        public var token: String
        /// Prefixes the token may read (`GET`, `HEAD`, and the source of a fork).
        public var read: [String]
        /// Prefixes the token may append to or close (`POST`).
        public var write: [String]
        /// Prefixes under which the token may create streams (`PUT`).
        public var create: [String]
        /// Prefixes under which the token may delete streams (`DELETE`).
        public var delete: [String]
        /// Whether the token may scrape the metrics endpoint when it is protected.
        public var metrics: Bool
        /// Whether the token may call the health endpoints when they are protected.
        public var health: Bool
        /// What the token may do with subscriptions (every subscription id). Managing or reading a
        /// subscription reveals the paths and offsets of the streams it links, so grant it to trusted services.
        public var subscriptions: Set<SubscriptionAction>

        /// Creates a grant; `create` and `delete` default to the `write` prefixes.
        public init(
            name: String,
            token: String,
            read: [String] = [],
            write: [String] = [],
            create: [String]? = nil,
            delete: [String]? = nil,
            metrics: Bool = false,
            health: Bool = false,
            subscriptions: Set<SubscriptionAction> = []
        ) {
            self.name = name
            self.token = token
            self.read = read
            self.write = write
            self.create = create ?? write
            self.delete = delete ?? write
            self.metrics = metrics
            self.health = health
            self.subscriptions = subscriptions
        }

        /// Every action on every stream and subscription, plus metrics and health.
        public static func fullAccess(token: String, name: String = "full-access") -> Grant {
            Grant(
                name: name, token: token, read: [""], write: [""], metrics: true, health: true,
                subscriptions: Set(SubscriptionAction.allCases)
            )
        }

        func prefixes(for action: StreamAction) -> [String] {
            switch action {
            case .read: return read
            case .write: return write
            case .create: return create
            case .delete: return delete
            }
        }
    }

    private let grants: [String: Grant]

    /// Creates an authoriser; when two grants share a token the later one wins.
    public init(grants: [Grant]) {
        var table: [String: Grant] = [:]
        for grant in grants { table[grant.token] = grant }
        self.grants = table
    }

    /// Checks the bearer token against the grants.
    public func authorize(_ request: AuthorizationRequest) -> AuthorizationDecision {
        guard let header = request.headers.first(name: "Authorization") else {
            return .unauthenticated(reason: "a bearer token is required")
        }
        guard let token = Self.bearerToken(header) else {
            return .unauthenticated(reason: "the Authorization header must be 'Bearer <token>'")
        }
        guard let grant = grants[token] else {
            return .unauthenticated(reason: "the bearer token is not valid")
        }
        let allowed: Bool
        switch request.resource {
        case .metrics: allowed = grant.metrics
        case .health: allowed = grant.health
        case .stream(let path, let action): allowed = grant.prefixes(for: action).contains { Self.prefix($0, matches: path) }
        case .subscription(_, let action): allowed = grant.subscriptions.contains(action)
        }
        guard allowed else { return .forbidden(reason: Self.denial(for: request.resource)) }
        return .allow(principal: grant.name)
    }

    /// The token of a `Bearer` credential (scheme case-insensitive, RFC 6750 §2.1).
    static func bearerToken(_ header: String) -> String? {
        let trimmed = header.drop { $0 == " " }
        guard trimmed.count > 7, trimmed.prefix(7).lowercased() == "bearer " else { return nil }
        let token = trimmed.dropFirst(7).drop { $0 == " " }.reversed().drop { $0 == " " }.reversed()
        let value = String(token)
        return value.isEmpty || value.contains(" ") ? nil : value
    }

    static func prefix(_ prefix: String, matches path: String) -> Bool {
        prefix.isEmpty || prefix == "*" || path.hasPrefix(prefix)
    }

    private static func denial(for resource: ProtectedResource) -> String {
        switch resource {
        case .metrics: return "this token may not read metrics"
        case .health: return "this token may not call health endpoints"
        case .stream(let path, let action): return "this token may not \(action.rawValue) \(path)"
        case .subscription(let id, let action): return "this token may not \(action.rawValue) subscription \(id)"
        }
    }
}
