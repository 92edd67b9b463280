import DSFileStore
import DSStore

/// The store backends tests can run against. Every behaviour test is parameterised over `StoreKind.allCases`,
/// so a backend joins the whole shared suite by being listed there.
public enum StoreKind: String, Sendable, CustomStringConvertible {
    /// ``MemoryStreamStore``.
    case memory
    /// ``FileStreamStore`` in a fresh temporary directory, removed when the store closes.
    case file

    /// The backends the shared behaviour suite (conformance, forks, server tests) runs against.
    public static let allCases: [StoreKind] = [.memory, .file]

    public var description: String { rawValue }

    /// A fresh, empty store of this kind.
    public func makeStore() throws -> any StreamStore {
        switch self {
        case .memory: return MemoryStreamStore()
        case .file: return try TemporaryFileStore()
        }
    }

    /// A fresh, empty store of this kind that a test can restart: after a server stops (closing it), pass it
    /// to ``reopen(_:)`` and serve it again.
    public func makeRestartableStore() throws -> any StreamStore {
        switch self {
        case .memory: return MemoryStreamStore()
        case .file: return try TemporaryFileStore(restartable: true)
        }
    }

    /// Restarts a store from ``makeRestartableStore()`` after it was closed. The memory store keeps its streams
    /// through `close()`, which stands in for a restart; the file store really opens its directory again.
    public static func reopen(_ store: any StreamStore) throws {
        if let file = store as? TemporaryFileStore { try file.reopen() }
    }
}
