import CLMDB
import DSStore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Why an operation of the file store failed below the protocol level; mapped to a ``StoreError`` at the boundary.
enum FileStoreFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// A system call failed with `errno`.
    case system(errno: Int32, operation: String)
    /// An LMDB call failed with its result code.
    case metadata(code: Int32, operation: String)
    /// Stored data or metadata failed its checks (checksum, magic, record format).
    case corrupt(String)
    /// The store was closed.
    case closed

    var description: String {
        switch self {
        case .system(let errno, let operation): return "\(operation): \(String(cString: strerror(errno)))"
        case .metadata(let code, let operation): return "\(operation): \(String(cString: mdb_strerror(code)))"
        case .corrupt(let reason): return "corrupt data: \(reason)"
        case .closed: return "the store is closed"
        }
    }

    /// The file system refused a change because it is mounted read-only.
    var isReadOnlyFileSystem: Bool {
        if case .system(let errno, _) = self { return errno == EROFS }
        return false
    }

    /// The protocol-level error: out of space is `507`, everything else the server cannot do now is `503`.
    var storeError: StoreError {
        switch self {
        case .system(let errno, _) where errno == ENOSPC || errno == EDQUOT || errno == EFBIG:
            return .insufficientStorage(reason: description)
        case .metadata(let code, _) where code == MDB_MAP_FULL:
            return .insufficientStorage(reason: "metadata map is full (raise the map size)")
        case .metadata(let code, _) where code == ENOSPC:
            return .insufficientStorage(reason: description)
        case .system(let errno, _) where errno == EROFS:
            return .unavailable("the data directory is read-only")
        default:
            return .unavailable(description)
        }
    }
}
