import NIOCore

/// Configures a ``SubscriptionService``.
public struct SubscriptionOptions: Sendable {
    /// Where subscriptions, cursors, leases, retries and the signing key are kept (created when missing);
    /// `nil` keeps everything in memory.
    public var directory: String?
    /// Development mode: webhook URLs may use `http://localhost` and `http://127.0.0.x` (PROTOCOL.md §12.8).
    public var developmentMode: Bool
    /// `scheme://host:port` that webhook receivers use to reach this server (callback and JWKS URLs);
    /// `nil` uses the address the server is bound to.
    public var publicBaseURL: String?
    /// How long one webhook attempt may take before it counts as failed.
    public var webhookTimeout: TimeAmount
    /// Resolves webhook host names at delivery time (tests substitute a fixed table).
    package var resolver: any HostResolver = SystemHostResolver()

    /// Creates options: in memory, production URL rules, 10 s webhook attempts.
    public init(
        directory: String? = nil,
        developmentMode: Bool = false,
        publicBaseURL: String? = nil,
        webhookTimeout: TimeAmount = .seconds(10)
    ) {
        self.directory = directory
        self.developmentMode = developmentMode
        self.publicBaseURL = publicBaseURL
        self.webhookTimeout = webhookTimeout
    }
}
