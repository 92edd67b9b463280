import DSProtocol
import DSStore

/// Something that happened to a stream, reported to lifecycle hooks after the fact.
public struct StreamLifecycleEvent: Sendable, Hashable {
    /// The kind of event.
    public enum Kind: String, Sendable, Hashable {
        /// A stream was created (not sent for idempotent re-creation).
        case created
        /// A stream was deleted (including soft deletion).
        case deleted
        /// A stream expired (TTL or `Stream-Expires-At`).
        case expired
    }

    /// The kind of event.
    public var kind: Kind
    /// The stream's path below the stream root.
    public var path: String
    /// The stream's content type.
    public var contentType: StreamContentType
    /// When it happened.
    public var timestamp: StoreTimestamp

    /// Creates an event.
    public init(kind: Kind, path: String, contentType: StreamContentType, timestamp: StoreTimestamp) {
        self.kind = kind
        self.path = path
        self.contentType = contentType
        self.timestamp = timestamp
    }
}

/// Receives stream lifecycle events. Hooks run off the request path: a hook that throws or is slow
/// never fails or delays the request, and never holds up other hooks. Each hook sees events in the
/// order the operations completed.
public protocol StreamLifecycleHook: Sendable {
    /// Called once when the server starts, before it accepts connections, with the store it serves.
    /// A hook that keeps state in the store (such as a registry stream) creates or repairs it here.
    /// Throwing stops the server from starting.
    func prepare(store: any StreamStore) async throws

    /// Handles one event; errors are logged and dropped.
    func handle(_ event: StreamLifecycleEvent) async throws
}

extension StreamLifecycleHook {
    /// Hooks without state need no preparation.
    public func prepare(store: any StreamStore) async throws {}
}
