import DSProtocol
import DSStore

/// Everything the store knows about one stream, as kept in memory and persisted in LMDB.
///
/// The encoded form (``encoded()``) leaves out the producer table, which lives in its own database so a
/// commit rewrites only the producers that changed, and the window's frame starts, which are a cache.
struct StreamRecord: Sendable {
    /// Bumped when the encoding changes. Version 2 added the fork offset and `expiryInherited` at the end;
    /// version 1 records (written before forks were supported) are read as well.
    static let formatVersion: UInt8 = 2

    var id: UInt64
    var path: String
    var contentType: StreamContentType
    var expiry: StreamExpiry
    var createdAt: StoreTimestamp
    /// Last read or write, for sliding TTLs.
    var lastAccess: StoreTimestamp
    var closed = false
    /// The producer request that closed the stream, so its retry is answered as a duplicate.
    var closedBy: ProducerStamp?
    var writer = WriterState()
    var log = LogGeometry()
    /// Set when the stream is a fork: where it branched off its source.
    var fork: ForkLink?
    /// True when this fork took its expiry from its source because its request named none.
    var expiryInherited = false
    /// Number of forks created from this stream and not yet collected; committed with their records.
    var forkReferences: UInt64 = 0
    /// Deleted (or expired) while forks still read its data: `410 Gone`, and its path stays blocked.
    var softDeleted = false

    init(id: UInt64, path: String, contentType: StreamContentType, expiry: StreamExpiry, now: StoreTimestamp, fork: ForkLink? = nil) {
        self.id = id
        self.path = path
        self.contentType = contentType
        self.expiry = expiry
        self.createdAt = now
        self.lastAccess = now
        self.fork = fork
        self.log = LogGeometry(base: fork?.base ?? 0)
    }

    /// Where the stream's own data starts: `0`, or a fork's fork offset.
    var base: UInt64 { log.base }

    var tail: StreamOffset { StreamOffset(position: log.streamEnd) }

    func isExpired(at now: StoreTimestamp) -> Bool { expiry.hasExpired(lastAccess: lastAccess, now: now) }

    /// Slides a TTL window; returns whether anything changed.
    @discardableResult
    mutating func touch(_ now: StoreTimestamp) -> Bool {
        guard expiry.slides && now > lastAccess else { return false }
        lastAccess = now
        return true
    }

    func info() -> StreamInfo {
        StreamInfo(
            path: path,
            id: id,
            contentType: contentType,
            tail: tail,
            closed: closed,
            expiry: expiry,
            expiresAt: expiry.deadline(lastAccess: lastAccess),
            createdAt: createdAt,
            fork: fork.map { ForkSpec(sourcePath: $0.sourcePath, offset: StreamOffset(position: $0.offset), subOffset: $0.subOffset) },
            expiryInherited: expiryInherited
        )
    }
}

/// Where a fork branches off its source: the source's incarnation (its id, which holds one reference count
/// for the fork) and the request's resolved fork configuration.
struct ForkLink: Sendable, Hashable {
    var sourcePath: String
    var sourceID: UInt64
    /// The anchor (`Stream-Fork-Offset`, the source's tail when omitted).
    var offset: UInt64
    var subOffset: UInt64
    /// The fork offset: the anchor moved past the sub-offset, where the fork's own data starts.
    var base: UInt64
}

extension StreamRecord {
    /// The LMDB value for this record.
    func encoded() -> [UInt8] {
        var out = ByteWriter(capacity: 96 + path.utf8.count + contentType.value.utf8.count)
        out.write(Self.formatVersion)
        out.write(id)
        out.write(path)
        out.write(contentType.value)
        switch expiry {
        case .none: out.write(UInt8(0)); out.write(Int64(0))
        case .ttl(let seconds): out.write(UInt8(1)); out.write(seconds)
        case .expiresAt(let milliseconds): out.write(UInt8(2)); out.write(milliseconds)
        }
        out.write(createdAt.milliseconds)
        out.write(lastAccess.milliseconds)
        out.write(closed)
        out.writeOptional(closedBy) { out, stamp in
            out.write(stamp.id)
            out.write(stamp.epoch)
            out.write(stamp.seq)
        }
        out.writeOptional(writer.lastSeq) { out, seq in out.write(seq) }
        out.write(log.streamEnd)
        out.write(log.fileEnd)
        out.write(log.window.stream)
        out.write(log.window.file)
        out.write(log.windowFrameCount)
        out.writeOptional(fork) { out, fork in
            out.write(fork.sourcePath)
            out.write(fork.sourceID)
            out.write(fork.offset)
            out.write(fork.subOffset)
        }
        out.write(forkReferences)
        out.write(softDeleted)
        // Version 2.
        out.write(expiryInherited)
        if let fork { out.write(fork.base) }
        return out.bytes
    }

    /// Decodes an LMDB value (the producer table is filled in separately).
    static func decode(_ bytes: UnsafeRawBufferPointer) throws(FileStoreFailure) -> StreamRecord {
        var input = ByteReader(bytes)
        let version = try input.readUInt8()
        guard version == 1 || version == formatVersion else { throw .corrupt("unknown stream record version \(version)") }
        let id = try input.readUInt64()
        let path = try input.readString()
        let contentType = StreamContentType(try input.readString())
        let expiryKind = try input.readUInt8()
        let expiryValue = try input.readInt64()
        let expiry: StreamExpiry
        switch expiryKind {
        case 0: expiry = .none
        case 1: expiry = .ttl(seconds: expiryValue)
        case 2: expiry = .expiresAt(milliseconds: expiryValue)
        default: throw .corrupt("unknown expiry kind \(expiryKind) in the record of \(path)")
        }
        let createdAt = StoreTimestamp(milliseconds: try input.readInt64())
        var record = StreamRecord(id: id, path: path, contentType: contentType, expiry: expiry, now: createdAt)
        record.lastAccess = StoreTimestamp(milliseconds: try input.readInt64())
        record.closed = try input.readBool()
        record.closedBy = try input.readOptional { (input) throws(FileStoreFailure) in
            ProducerStamp(id: try input.readString(), epoch: try input.readUInt64(), seq: try input.readUInt64())
        }
        record.writer.lastSeq = try input.readOptional { (input) throws(FileStoreFailure) in try input.readString() }
        let streamEnd = try input.readUInt64()
        let fileEnd = try input.readUInt64()
        let window = LogPosition(stream: try input.readUInt64(), file: try input.readUInt64())
        let windowFrameCount = try input.readUInt32()
        record.fork = try input.readOptional { (input) throws(FileStoreFailure) in
            ForkLink(
                sourcePath: try input.readString(),
                sourceID: try input.readUInt64(),
                offset: try input.readUInt64(),
                subOffset: try input.readUInt64(),
                base: 0
            )
        }
        record.forkReferences = try input.readUInt64()
        record.softDeleted = try input.readBool()
        if version >= 2 {
            record.expiryInherited = try input.readBool()
            if record.fork != nil { record.fork?.base = try input.readUInt64() }
        } else if record.fork != nil {
            throw .corrupt("a version 1 record cannot describe a fork (\(path))")
        }
        record.log = LogGeometry(base: record.fork?.base ?? 0)
        record.log.streamEnd = streamEnd
        record.log.fileEnd = fileEnd
        record.log.window = window
        record.log.windowFrameCount = windowFrameCount
        record.log.windowStarts = windowFrameCount == 0 ? [] : nil
        guard input.isAtEnd else { throw .corrupt("trailing bytes in the record of \(path)") }
        return record
    }
}
