import CLMDB
import DSPathEncoding
import DSStore

/// The LMDB half of a data directory: one record per stream, the producer tables, the log checkpoints and
/// the store's own settings. Every change of a group commit goes into one transaction (``commit(_:)``),
/// which is the store's commit point.
///
/// Databases (keys are big-endian where numeric, so key order is numeric order):
/// - `streams`: stream file name (``StreamFileNames/encodedName(of:)``) → ``StreamRecord``
/// - `producers`: stream id + encoded producer id → epoch, sequence, producer id
/// - `checkpoints`: stream id + stream position → file position of the frame starting there
/// - `config`: `schema` → format version, `next-id` → the next stream id (random high bits at first)
final class MetadataStore: Sendable {
    /// Bumped when the layout of the databases changes incompatibly.
    static let schemaVersion: UInt64 = 1

    let environment: LMDBEnvironment
    private let streams: LMDBDatabase
    private let producers: LMDBDatabase
    private let checkpoints: LMDBDatabase
    private let config: LMDBDatabase

    private static let schemaKey = Array("schema".utf8)
    private static let nextIDKey = Array("next-id".utf8)

    /// Opens the metadata in `directory`; creates it unless `readOnly`.
    init(directory: String, mapSize: Int, readOnly: Bool = false) throws(FileStoreFailure) {
        environment = try LMDBEnvironment(directory: directory, mapSize: mapSize, readOnly: readOnly)
        let databases = try environment.openDatabases(["streams", "producers", "checkpoints", "config"])
        (streams, producers, checkpoints, config) = (databases[0], databases[1], databases[2], databases[3])
        let stored = try environment.read { [config] (txn) throws(FileStoreFailure) in
            try txn.withValue(config, Self.schemaKey) { ByteReaderValue.uint64($0) ?? 0 }
        }
        switch stored {
        case Self.schemaVersion?:
            break
        case nil where !readOnly:
            try environment.write { [config] (txn) throws(FileStoreFailure) in
                try txn.put(config, Self.schemaKey, ByteReaderValue.bytes(Self.schemaVersion))
            }
        default:
            throw .corrupt("metadata schema \(stored.map(String.init) ?? "missing") is not supported (expected \(Self.schemaVersion))")
        }
    }

    // MARK: - Loading

    /// Everything persisted: every stream record with its producer table, and the next stream id.
    func loadAll() throws(FileStoreFailure) -> (records: [(name: String, record: StreamRecord)], nextID: UInt64) {
        try environment.read { (txn) throws(FileStoreFailure) in
            var loaded: [(name: String, record: StreamRecord)] = []
            var indexByID: [UInt64: Int] = [:]
            try txn.forEach(streams) { (key, value) throws(FileStoreFailure) in
                let record = try StreamRecord.decode(value)
                indexByID[record.id] = loaded.count
                loaded.append((String(decoding: key, as: UTF8.self), record))
            }
            try txn.forEach(producers) { (key, value) throws(FileStoreFailure) in
                guard key.count > 8 else { throw .corrupt("short producer key") }
                let streamID = MetadataKey.readBigEndian(key)
                var input = ByteReader(value)
                let state = ProducerState(epoch: try input.readUInt64(), lastSeq: try input.readUInt64())
                let producerID = try input.readString()
                if let index = indexByID[streamID] { loaded[index].record.writer.producers[producerID] = state }
            }
            let stored = try txn.withValue(config, Self.nextIDKey) { ByteReaderValue.uint64($0) } ?? nil
            return (loaded, stored ?? Self.firstID())
        }
    }

    /// Where a new directory starts numbering streams: random high bits, so a directory wiped and created
    /// again never reuses the ids (and so the ETags) that caches may still hold from its predecessor.
    private static func firstID() -> UInt64 {
        UInt64.random(in: 1...UInt64(UInt32.max)) << 24
    }

    /// The checkpoint at or before `position` in the log of stream `id`; `origin` (the log's first frame) when
    /// none is stored.
    func checkpoint(stream id: UInt64, atOrBefore position: UInt64, origin: LogPosition) throws(FileStoreFailure) -> LogPosition {
        let prefix = MetadataKey.bigEndian(id)
        let found = try environment.read { (txn) throws(FileStoreFailure) in
            try txn.floor(checkpoints, prefix + MetadataKey.bigEndian(position), prefix: prefix) { key, value in
                LogPosition(stream: MetadataKey.readBigEndian(key, at: 8), file: ByteReaderValue.uint64(value) ?? 0)
            }
        }
        return found ?? origin
    }

    /// Every checkpoint of stream `id`, in order (used by recovery).
    func checkpoints(stream id: UInt64) throws(FileStoreFailure) -> [LogPosition] {
        try environment.read { (txn) throws(FileStoreFailure) in
            var found: [LogPosition] = []
            try txn.forEach(checkpoints, prefix: MetadataKey.bigEndian(id)) { key, value in
                found.append(LogPosition(stream: MetadataKey.readBigEndian(key, at: 8), file: ByteReaderValue.uint64(value) ?? 0))
            }
            return found
        }
    }

    /// The path of the stream stored under file name `name`, if any.
    func recordPath(name: String) throws(FileStoreFailure) -> String? {
        try environment.read { (txn) throws(FileStoreFailure) in
            try txn.withValue(streams, Array(name.utf8)) { (bytes) throws(FileStoreFailure) in try StreamRecord.decode(bytes).path }
        }
    }

    // MARK: - Committing

    /// Applies one group commit's changes in a single durable transaction.
    func commit(_ changes: MetadataChanges) throws(FileStoreFailure) {
        try environment.write { (txn) throws(FileStoreFailure) in
            for removal in changes.removals {
                // A stream re-created at the same path has the same key: only delete the incarnation being removed.
                let key = Array(removal.name.utf8)
                let storedID = try txn.withValue(streams, key) { bytes in bytes.count >= 9 ? bytes.loadUnaligned(fromByteOffset: 1, as: UInt64.self) : 0 }
                if storedID.map({ UInt64(littleEndian: $0) }) == removal.id { try txn.delete(streams, key) }
                try txn.deleteAll(producers, prefix: MetadataKey.bigEndian(removal.id))
                try txn.deleteAll(checkpoints, prefix: MetadataKey.bigEndian(removal.id))
            }
            for (name, record) in changes.records {
                try txn.put(streams, Array(name.utf8), record.encoded())
            }
            for change in changes.producers {
                var value = ByteWriter(capacity: 24 + change.producerID.utf8.count)
                value.write(change.state.epoch)
                value.write(change.state.lastSeq)
                value.write(change.producerID)
                try txn.put(producers, Self.producerKey(stream: change.streamID, producer: change.producerID), value.bytes)
            }
            for checkpoint in changes.checkpoints {
                let key = MetadataKey.bigEndian(checkpoint.streamID) + MetadataKey.bigEndian(checkpoint.position.stream)
                try txn.put(checkpoints, key, ByteReaderValue.bytes(checkpoint.position.file))
            }
            for rollback in changes.checkpointRollbacks {
                var stale: [[UInt8]] = []
                try txn.forEach(checkpoints, prefix: MetadataKey.bigEndian(rollback.streamID)) { key, _ in
                    if MetadataKey.readBigEndian(key, at: 8) >= rollback.from { stale.append(Array(key)) }
                }
                for key in stale { try txn.delete(checkpoints, key) }
            }
            if let nextID = changes.nextID {
                try txn.put(config, Self.nextIDKey, ByteReaderValue.bytes(nextID))
            }
        }
    }

    /// Producer ids can be long; the key holds their file-name encoding, which is short and unique.
    private static func producerKey(stream: UInt64, producer: String) -> [UInt8] {
        MetadataKey.bigEndian(stream) + Array(encodeStreamPath(producer).utf8)
    }
}

/// The metadata changes of one group commit.
struct MetadataChanges {
    struct ProducerChange {
        var streamID: UInt64
        var producerID: String
        var state: ProducerState
    }

    struct Checkpoint {
        var streamID: UInt64
        var position: LogPosition
    }

    /// Drops the checkpoints of a stream at stream positions `>= from` (recovery after data loss).
    struct CheckpointRollback {
        var streamID: UInt64
        var from: UInt64
    }

    /// Streams to write, keyed by file name.
    var records: [(name: String, record: StreamRecord)] = []
    /// Streams to remove with their producers and checkpoints (applied before ``records``).
    var removals: [(name: String, id: UInt64)] = []
    var producers: [ProducerChange] = []
    var checkpoints: [Checkpoint] = []
    var checkpointRollbacks: [CheckpointRollback] = []
    var nextID: UInt64?

    var isEmpty: Bool {
        records.isEmpty && removals.isEmpty && producers.isEmpty && checkpoints.isEmpty && checkpointRollbacks.isEmpty && nextID == nil
    }
}

/// One little-endian `UInt64` as a whole LMDB value.
enum ByteReaderValue {
    static func uint64(_ bytes: UnsafeRawBufferPointer) -> UInt64? {
        guard bytes.count == 8 else { return nil }
        return UInt64(littleEndian: bytes.loadUnaligned(as: UInt64.self))
    }

    static func bytes(_ value: UInt64) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }
}
