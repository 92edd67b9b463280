import CLMDB
import Synchronization

/// A named LMDB database (`MDB_dbi`) inside an environment.
typealias LMDBDatabase = MDB_dbi

/// An open LMDB environment: the metadata half of a data directory.
///
/// `@unchecked Sendable` because it wraps a C handle the compiler cannot see into. Sharing it is safe:
/// an `MDB_env` may be used from any thread, the handle is immutable after `init`, the environment is
/// opened with `MDB_NOTLS` so read transactions are not bound to the thread that began them, every
/// transaction begins and ends inside one call of ``read(_:)`` or ``write(_:)`` on one thread, and
/// LMDB itself serialises write transactions (only the store's writer thread, and `open`, begin them).
final class LMDBEnvironment: @unchecked Sendable {
    private let handle: OpaquePointer
    private let isClosed = Atomic<Bool>(false)

    /// Whether the environment was opened without write access.
    let isReadOnly: Bool

    /// Opens (creating if needed) the environment in `directory`.
    ///
    /// - Parameters:
    ///   - mapSize: the most bytes the metadata may grow to; address space only, not disk.
    ///   - readOnly: open an existing environment for reading only, without LMDB's lock file (for a
    ///     read-only file system, where no other process can write either).
    init(directory: String, mapSize: Int, readOnly: Bool = false, maxDatabases: UInt32 = 8, maxReaders: UInt32 = 256) throws(FileStoreFailure) {
        isReadOnly = readOnly
        var env: OpaquePointer?
        try LMDBEnvironment.check(mdb_env_create(&env), "mdb_env_create")
        guard let env else { throw .metadata(code: MDB_PANIC, operation: "mdb_env_create") }
        do {
            try LMDBEnvironment.check(mdb_env_set_mapsize(env, mapSize), "mdb_env_set_mapsize")
            try LMDBEnvironment.check(mdb_env_set_maxdbs(env, maxDatabases), "mdb_env_set_maxdbs")
            try LMDBEnvironment.check(mdb_env_set_maxreaders(env, maxReaders), "mdb_env_set_maxreaders")
            let flags = UInt32(MDB_NOTLS) | (readOnly ? UInt32(MDB_RDONLY) | UInt32(MDB_NOLOCK) : 0)
            try LMDBEnvironment.check(mdb_env_open(env, directory, flags, 0o644), "mdb_env_open \(directory)")
        } catch {
            mdb_env_close(env)
            throw error
        }
        handle = env
    }

    deinit {
        close()
    }

    /// Closes the environment. Call only when no transaction can begin any more (the store is closed).
    func close() {
        guard !isClosed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        mdb_env_close(handle)
    }

    /// Opens the named databases, creating them unless the environment is read-only.
    func openDatabases(_ names: [String]) throws(FileStoreFailure) -> [LMDBDatabase] {
        // Handles opened in a transaction outlive it only once it commits, read-only or not.
        let txn = try begin(flags: isReadOnly ? UInt32(MDB_RDONLY) : 0)
        var databases: [LMDBDatabase] = []
        do {
            for name in names {
                var dbi: MDB_dbi = 0
                try LMDBEnvironment.check(mdb_dbi_open(txn.handle, name, isReadOnly ? 0 : UInt32(MDB_CREATE), &dbi), "mdb_dbi_open \(name)")
                databases.append(dbi)
            }
        } catch {
            mdb_txn_abort(txn.handle)
            throw error
        }
        try LMDBEnvironment.check(mdb_txn_commit(txn.handle), "mdb_txn_commit")
        return databases
    }

    /// Runs `body` in a read-only snapshot.
    func read<R>(_ body: (LMDBTransaction) throws(FileStoreFailure) -> R) throws(FileStoreFailure) -> R {
        let txn = try begin(flags: UInt32(MDB_RDONLY))
        defer { mdb_txn_abort(txn.handle) }
        return try body(txn)
    }

    /// Runs `body` in a write transaction and commits it; nothing is written when `body` throws.
    ///
    /// The commit is durable when this returns (LMDB syncs its data and meta pages).
    func write<R>(_ body: (LMDBTransaction) throws(FileStoreFailure) -> R) throws(FileStoreFailure) -> R {
        let txn = try begin(flags: 0)
        let result: R
        do {
            result = try body(txn)
        } catch {
            mdb_txn_abort(txn.handle)
            throw error
        }
        try LMDBEnvironment.check(mdb_txn_commit(txn.handle), "mdb_txn_commit")
        return result
    }

    private func begin(flags: UInt32) throws(FileStoreFailure) -> LMDBTransaction {
        var txn: OpaquePointer?
        try LMDBEnvironment.check(mdb_txn_begin(handle, nil, flags, &txn), "mdb_txn_begin")
        return LMDBTransaction(handle: txn!)
    }

    static func check(_ code: Int32, _ operation: @autoclosure () -> String) throws(FileStoreFailure) {
        if code != MDB_SUCCESS { throw .metadata(code: code, operation: operation()) }
    }
}
