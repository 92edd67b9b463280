import CLMDB

/// A transaction inside ``LMDBEnvironment/read(_:)`` or ``LMDBEnvironment/write(_:)``; never escapes them.
///
/// Values handed to callbacks point into LMDB's memory map and are valid only during the callback.
struct LMDBTransaction {
    let handle: OpaquePointer

    /// Calls `body` with the value stored under `key`, or returns `nil` when there is none.
    func withValue<R>(
        _ db: LMDBDatabase,
        _ key: [UInt8],
        _ body: (UnsafeRawBufferPointer) throws(FileStoreFailure) -> R
    ) throws(FileStoreFailure) -> R? {
        var found: MDB_val?
        try key.withBytes { (keyBytes) throws(FileStoreFailure) in
            var keyValue = MDB_val(keyBytes)
            var data = MDB_val()
            let code = mdb_get(handle, db, &keyValue, &data)
            if code == MDB_NOTFOUND { return }
            try LMDBEnvironment.check(code, "mdb_get")
            found = data
        }
        guard let found else { return nil }
        return try body(found.bytes)
    }

    /// Stores `value` under `key`, replacing any previous value.
    func put(_ db: LMDBDatabase, _ key: [UInt8], _ value: [UInt8]) throws(FileStoreFailure) {
        try key.withBytes { (keyBytes) throws(FileStoreFailure) in
            try value.withBytes { (valueBytes) throws(FileStoreFailure) in
                var keyValue = MDB_val(keyBytes)
                var data = MDB_val(valueBytes)
                try LMDBEnvironment.check(mdb_put(handle, db, &keyValue, &data, 0), "mdb_put")
            }
        }
    }

    /// Removes `key`; a missing key is not an error.
    func delete(_ db: LMDBDatabase, _ key: [UInt8]) throws(FileStoreFailure) {
        try key.withBytes { (keyBytes) throws(FileStoreFailure) in
            var keyValue = MDB_val(keyBytes)
            let code = mdb_del(handle, db, &keyValue, nil)
            if code != MDB_NOTFOUND { try LMDBEnvironment.check(code, "mdb_del") }
        }
    }

    /// Calls `body` for every entry whose key starts with `prefix` (every entry when empty), in key order.
    func forEach(
        _ db: LMDBDatabase,
        prefix: [UInt8] = [],
        _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws(FileStoreFailure) -> Void
    ) throws(FileStoreFailure) {
        try withCursor(db) { (cursor) throws(FileStoreFailure) in
            var key = MDB_val()
            var data = MDB_val()
            var code: Int32
            if prefix.isEmpty {
                code = mdb_cursor_get(cursor, &key, &data, MDB_FIRST)
            } else {
                code = prefix.withUnsafeBytes { prefixBytes in
                    key = MDB_val(prefixBytes)
                    return mdb_cursor_get(cursor, &key, &data, MDB_SET_RANGE)
                }
            }
            while code == MDB_SUCCESS {
                let keyBytes = key.bytes
                guard keyBytes.starts(with: prefix) else { return }
                try body(keyBytes, data.bytes)
                code = mdb_cursor_get(cursor, &key, &data, MDB_NEXT)
            }
            if code != MDB_NOTFOUND { try LMDBEnvironment.check(code, "mdb_cursor_get") }
        }
    }

    /// The entry with the greatest key that is `<= key` and starts with `prefix`.
    func floor<R>(
        _ db: LMDBDatabase,
        _ key: [UInt8],
        prefix: [UInt8],
        _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws(FileStoreFailure) -> R
    ) throws(FileStoreFailure) -> R? {
        try withCursor(db) { (cursor) throws(FileStoreFailure) -> R? in
            var found = MDB_val()
            var data = MDB_val()
            var code = key.withUnsafeBytes { keyBytes in
                found = MDB_val(keyBytes)
                return mdb_cursor_get(cursor, &found, &data, MDB_SET_RANGE)
            }
            if code == MDB_SUCCESS {
                let isExact = found.bytes.elementsEqual(key)
                if !isExact { code = mdb_cursor_get(cursor, &found, &data, MDB_PREV) }
            } else if code == MDB_NOTFOUND {
                code = mdb_cursor_get(cursor, &found, &data, MDB_LAST)
            }
            if code == MDB_NOTFOUND { return nil }
            try LMDBEnvironment.check(code, "mdb_cursor_get")
            guard found.bytes.starts(with: prefix) else { return nil }
            return try body(found.bytes, data.bytes)
        }
    }

    /// Removes every entry whose key starts with `prefix`.
    func deleteAll(_ db: LMDBDatabase, prefix: [UInt8]) throws(FileStoreFailure) {
        var keys: [[UInt8]] = []
        try forEach(db, prefix: prefix) { key, _ in keys.append(Array(key)) }
        for key in keys { try delete(db, key) }
    }

    private func withCursor<R>(
        _ db: LMDBDatabase,
        _ body: (OpaquePointer) throws(FileStoreFailure) -> R
    ) throws(FileStoreFailure) -> R {
        var cursor: OpaquePointer?
        try LMDBEnvironment.check(mdb_cursor_open(handle, db, &cursor), "mdb_cursor_open")
        defer { mdb_cursor_close(cursor) }
        return try body(cursor!)
    }
}

extension MDB_val {
    /// A value that points at `bytes` (which must outlive it).
    init(_ bytes: UnsafeRawBufferPointer) {
        self.init(mv_size: bytes.count, mv_data: UnsafeMutableRawPointer(mutating: bytes.baseAddress))
    }

    /// The bytes the value points at.
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: mv_data, count: mv_size) }
}
