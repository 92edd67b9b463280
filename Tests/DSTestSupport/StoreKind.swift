import DSFileStore
import DSStore

/// The store backends the behaviour suite runs against. Every behaviour test is parameterised over
/// `StoreKind.allCases`, so a new backend joins the whole suite by adding a case here.
public enum StoreKind: String, CaseIterable, Sendable, CustomStringConvertible {
    /// ``MemoryStreamStore``.
    case memory
    /// ``FileStreamStore`` in a fresh temporary directory, removed when the store closes.
    case file

    public var description: String { rawValue }

    /// A fresh, empty store of this kind.
    public func makeStore() throws -> any StreamStore {
        switch self {
        case .memory: return MemoryStreamStore()
        case .file: return try TemporaryFileStore()
        }
    }
}
