import Synchronization

/// Counters of the store's writer since it opened, for metrics and benchmarks.
public struct FileStoreStatistics: Sendable, Hashable {
    /// Group commits made (each one LMDB transaction); a group that changed nothing commits nothing.
    public var groupCommits: UInt64
    /// Requests (creates, appends, deletes) those commits answered.
    public var requests: UInt64
    /// `fdatasync` calls on stream logs (at checkpoints, and by groups that write many bytes to one log).
    public var logSyncs: UInt64
    /// `fdatasync` calls on the journal: one per group that wrote log bytes.
    public var journalSyncs: UInt64
    /// Checkpoints: logs synced and the journal started again from its beginning.
    public var checkpoints: UInt64
    /// Bytes written to stream logs, framing included.
    public var bytesWritten: UInt64
    /// Reads answered from the latest frames kept in memory for waiting readers, with no file read.
    public var readsFromMemory: UInt64
    /// Bytes of frames kept in memory for waiting readers now (see ``FileStoreOptions/recentFramesBytes``).
    public var recentFrameBytes: UInt64

    /// Average requests per group commit.
    public var requestsPerCommit: Double { groupCommits == 0 ? 0 : Double(requests) / Double(groupCommits) }
}

/// The writer's live counters.
final class StatisticsCounters: Sendable {
    private let groupCommits = Atomic<UInt64>(0)
    private let requests = Atomic<UInt64>(0)
    private let logSyncs = Atomic<UInt64>(0)
    private let bytesWritten = Atomic<UInt64>(0)
    private let journalSyncs = Atomic<UInt64>(0)
    private let checkpoints = Atomic<UInt64>(0)
    private let readsFromMemory = Atomic<UInt64>(0)

    /// Counts one group: its requests, and its commit when it had anything to write.
    func record(requests: Int, committed: Bool, journalSyncs: Int, logSyncs: Int, bytes: Int) {
        if committed { groupCommits.add(1, ordering: .relaxed) }
        self.requests.add(UInt64(requests), ordering: .relaxed)
        self.journalSyncs.add(UInt64(journalSyncs), ordering: .relaxed)
        self.logSyncs.add(UInt64(logSyncs), ordering: .relaxed)
        bytesWritten.add(UInt64(bytes), ordering: .relaxed)
    }

    /// Counts one checkpoint and the log syncs it made.
    func recordCheckpoint(logSyncs: Int) {
        checkpoints.add(1, ordering: .relaxed)
        self.logSyncs.add(UInt64(logSyncs), ordering: .relaxed)
    }

    /// Counts one read answered from frames kept in memory.
    func recordReadFromMemory() { readsFromMemory.add(1, ordering: .relaxed) }

    func snapshot(recentFrameBytes: Int) -> FileStoreStatistics {
        FileStoreStatistics(
            groupCommits: groupCommits.load(ordering: .relaxed),
            requests: requests.load(ordering: .relaxed),
            logSyncs: logSyncs.load(ordering: .relaxed),
            journalSyncs: journalSyncs.load(ordering: .relaxed),
            checkpoints: checkpoints.load(ordering: .relaxed),
            bytesWritten: bytesWritten.load(ordering: .relaxed),
            readsFromMemory: readsFromMemory.load(ordering: .relaxed),
            recentFrameBytes: UInt64(max(0, recentFrameBytes))
        )
    }
}
