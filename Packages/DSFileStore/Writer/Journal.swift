import Logging
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The shared journal (`<data-dir>/journal`), as the writer thread uses it.
///
/// A group writes its frames into the logs (page cache only), then appends one record holding the same bytes
/// with their positions here and `fdatasync`s the journal once, however many logs it touched. The logs are
/// synced later, at a *checkpoint*: when the next record would not fit in ``capacity``, and at a clean close.
/// A checkpoint syncs every log written since the last one, and only then starts a new lap (rewrites the
/// header with the next record's sequence number), so journal space is reused only once every log byte it
/// covers is on disk. Recovery rewrites a lap's records into the logs (see `Recovery+Journal.swift`).
///
/// The file is reused in place: it grows in zero-filled steps of ``growthStep`` during its first lap and keeps
/// its size after, so a record's `fdatasync` normally changes no file size and waits for no file-system
/// journal commit. Owned by the writer thread; recovery uses it before the writer starts.
struct Journal: Sendable {
    /// The file grows by this much at a time (zeros written past the record that needs the room).
    static let growthStep: UInt64 = 1 << 20

    let fd: Int32
    /// A lap ends (with a checkpoint) when the next record would end past this; a single record larger than
    /// the whole journal is still written, on an empty lap, and grows the file.
    let capacity: UInt64
    /// The sequence number the next record gets.
    private(set) var nextSequence: UInt64
    /// The current lap's nonce, carried by each of its records.
    private(set) var lapNonce: UInt64
    /// Where the next record goes.
    private(set) var offset = JournalFormat.headerSize
    /// The file's size: everything below it is written (records or zeros), so rewriting it grows nothing.
    private(set) var fileSize: UInt64
    /// Logs written since the last checkpoint (file name → stream id), synced before the journal is reused.
    private(set) var dirty: [String: UInt64] = [:]
    /// A group whose record is in the lap failed: its bytes must not be replayed over what a later group syncs
    /// directly into the same log positions, so the lap ends before the next group writes.
    private(set) var needsCheckpoint = false

    /// A group writing at least this many bytes to one single log syncs that log directly instead of writing
    /// its bytes a second time into the journal.
    static let directSyncBytes = 256 << 10

    /// Whether the current lap holds no record.
    var isEmpty: Bool { offset == JournalFormat.headerSize }

    /// Opens the journal of `directory`, creating it when missing (a new directory, or one written before the
    /// journal existed). A damaged header cannot say which records are current: they are dropped and the error
    /// logged, and recovery's log checks then report whatever acknowledged data that loses.
    static func open(_ directory: DataDirectory, capacity: UInt64, logger: Logger) throws(FileStoreFailure) -> Journal {
        let path = directory.journalPath
        if try SystemCall.fileSize(path) == nil {
            // Written whole under another name, then renamed: a crash never leaves a journal without a header.
            let fresh = path + ".new"
            let fd = try SystemCall.openFile(fresh, O_RDWR | O_CREAT | O_TRUNC)
            defer { SystemCall.closeFile(fd) }
            try writeHeader(fd, startSequence: 1, nonce: UInt64.random(in: .min ... .max))
            try SystemCall.renameFile(fresh, path)
            try SystemCall.syncDirectory(directory.root)
        }
        let fd = try SystemCall.openFile(path, O_RDWR)
        do {
            var header = [UInt8](repeating: 0, count: JournalFormat.fileHeaderLength)
            let count = try header.withMutableBytes { (raw) throws(FileStoreFailure) in try SystemCall.read(fd, into: raw, at: 0) }
            let lap = header.withUnsafeBytes { JournalFormat.lap(inHeader: UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
            if let lap {
                let size = try SystemCall.fileSize(path) ?? 0
                return Journal(fd: fd, capacity: capacity, nextSequence: lap.startSequence, lapNonce: lap.nonce, fileSize: size)
            }
            logger.error("the journal's header is damaged: its records are dropped", metadata: ["file": "\(path)"])
            try SystemCall.truncate(fd, to: JournalFormat.headerSize)
            let nonce = UInt64.random(in: .min ... .max)
            try writeHeader(fd, startSequence: 1, nonce: nonce)
            return Journal(fd: fd, capacity: capacity, nextSequence: 1, lapNonce: nonce, fileSize: JournalFormat.headerSize)
        } catch {
            SystemCall.closeFile(fd)
            throw error
        }
    }

    private init(fd: Int32, capacity: UInt64, nextSequence: UInt64, lapNonce: UInt64, fileSize: UInt64) {
        self.fd = fd
        self.capacity = max(capacity, 2 * JournalFormat.headerSize)
        self.nextSequence = nextSequence
        self.lapNonce = lapNonce
        self.fileSize = max(fileSize, JournalFormat.headerSize)
    }

    func close() { SystemCall.closeFile(fd) }

    // MARK: - Writing

    /// Makes `entries` (bytes already written to the logs `logs`) durable with one record and one `fdatasync`,
    /// checkpointing first when the lap has no room left. A failure leaves nothing committed: the record's
    /// space is reused by the next one, and its sequence number is not (so a torn copy never passes for it).
    mutating func append(_ entries: [JournalFormat.Entry], logs: [(fileName: String, id: UInt64)], context: StoreContext) throws(FileStoreFailure) {
        let size = UInt64(JournalFormat.recordSize(entries))
        if needsCheckpoint || (!isEmpty && offset + size > capacity) { try checkpoint(context: context) }
        let sequence = nextSequence
        nextSequence += 1
        let record = JournalFormat.record(sequence: sequence, nonce: lapNonce, entries: entries)
        try context.inject(.writeJournal)
        try record.withReadableBytes { (bytes) throws(FileStoreFailure) in try SystemCall.write(fd, bytes, at: offset) }
        if offset + size > fileSize { try grow(to: offset + size) }
        try context.inject(.syncJournal)
        try SystemCall.syncData(fd)
        offset += size
        for log in logs { dirty[log.fileName] = log.id }
    }

    /// Syncs every log written since the last checkpoint, then starts a new lap. Throws without starting one
    /// when a log could not be synced: the journal keeps every record until its bytes are safe in the logs.
    mutating func checkpoint(context: StoreContext) throws(FileStoreFailure) {
        guard !isEmpty || !dirty.isEmpty else {
            needsCheckpoint = false
            return
        }
        try context.inject(.checkpoint)
        let logs = dirty.map { (fileName: $0.key, id: $0.value) }
        try context.syncer.run(logs) { log in
            do throws(FileStoreFailure) {
                try context.syncLog(id: log.id, fileName: log.fileName)
                return nil
            } catch .system(let code, _) where code == ENOENT {
                return nil  // deleted since (or a failed group's new log, removed): nothing of it needs keeping
            } catch {
                return error
            }
        }
        dirty = [:]
        try reset(startSequence: nextSequence)
        needsCheckpoint = false
        context.statistics.recordCheckpoint(logSyncs: logs.count)
    }

    /// Called when a group that may have written a record failed (its logs are cut back): see ``needsCheckpoint``.
    mutating func requireCheckpoint() { needsCheckpoint = true }

    /// Before a group syncs a log directly: ends the lap first if a failed group's record is in it.
    mutating func prepareDirectSync(context: StoreContext) throws(FileStoreFailure) {
        if needsCheckpoint { try checkpoint(context: context) }
    }

    /// Starts a new lap at `startSequence` with a new nonce: rewrites and syncs the header. Records of earlier
    /// laps stay in the file but carry another nonce and lower sequence numbers, so they are never taken for
    /// the new lap's.
    mutating func reset(startSequence: UInt64) throws(FileStoreFailure) {
        let nonce = UInt64.random(in: .min ... .max)
        try Self.writeHeader(fd, startSequence: startSequence, nonce: nonce)
        nextSequence = startSequence
        lapNonce = nonce
        offset = JournalFormat.headerSize
    }

    /// Writes zeros from the end of the file up to a multiple of ``growthStep`` past `end`, so the next records
    /// of this lap overwrite written blocks.
    private mutating func grow(to end: UInt64) throws(FileStoreFailure) {
        let target = (end + Self.growthStep - 1) / Self.growthStep * Self.growthStep
        let zeros = [UInt8](repeating: 0, count: 64 << 10)
        var at = end
        while at < target {
            let count = Int(min(UInt64(zeros.count), target - at))
            try zeros.withBytes { (raw) throws(FileStoreFailure) in try SystemCall.write(fd, UnsafeRawBufferPointer(rebasing: raw[0..<count]), at: at) }
            at += UInt64(count)
        }
        fileSize = target
    }

    /// Writes the file header of a lap and makes it durable.
    private static func writeHeader(_ fd: Int32, startSequence: UInt64, nonce: UInt64) throws(FileStoreFailure) {
        try JournalFormat.fileHeader(startSequence: startSequence, nonce: nonce).withBytes { (raw) throws(FileStoreFailure) in
            try SystemCall.write(fd, raw, at: 0)
        }
        try SystemCall.syncData(fd)
    }

    // MARK: - Reading (recovery)

    /// Calls `body` with each record of the current lap, in order, until the first that is missing, torn or
    /// stale; returns the last sequence number passed on (`nil` when the lap is empty).
    func readLap(_ body: (UInt64, [JournalFormat.Entry]) throws(FileStoreFailure) -> Void) throws(FileStoreFailure) -> UInt64? {
        var at = JournalFormat.headerSize
        var expected = nextSequence
        var last: UInt64?
        let headerSize = JournalFormat.recordHeaderSize
        var header = [UInt8](repeating: 0, count: headerSize)
        while at + UInt64(headerSize) <= fileSize {
            let count = try header.withMutableBytes { (raw) throws(FileStoreFailure) in try SystemCall.read(fd, into: raw, at: at) }
            guard count == headerSize, let (sequence, nonce, length) = header.withUnsafeBytes({ JournalFormat.recordHeader($0) }),
                sequence == expected, nonce == lapNonce, at + UInt64(headerSize + length) <= fileSize
            else { break }
            var whole = [UInt8](repeating: 0, count: headerSize + length)
            let read = try whole.withMutableBytes { (raw) throws(FileStoreFailure) in try SystemCall.read(fd, into: raw, at: at) }
            guard read == whole.count, let entries = whole.withUnsafeBytes({ JournalFormat.entries(ofRecord: $0) }) else { break }
            try body(sequence, entries)
            last = sequence
            expected += 1
            at += UInt64(whole.count)
        }
        return last
    }
}
