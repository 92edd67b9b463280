import DSPathEncoding
import DSProtocol
import DSStore
import NIOCore

/// One group commit on the writer thread: ``apply(_:)`` every operation to working copies of the streams
/// (several appends to one stream see each other), ``persist()`` the result (frames, one journal record and its
/// `fdatasync`, one LMDB transaction), then ``publish()`` it or ``rollBack(_:)`` everything. Nothing is visible to readers or
/// answered before the LMDB commit, the commit point.
///
/// A group may be applied while the one before it is still committing (``CommitWriter`` pipelines them): it
/// then builds on that group's working state (``carried``), which is not published yet.
struct GroupCommit {
    let context: StoreContext
    /// The id the next created stream gets.
    private(set) var nextID: UInt64
    let firstID: UInt64

    /// Working copies, by stream object.
    var pending: [ObjectIdentifier: PendingStream] = [:]
    var order: [ObjectIdentifier] = []
    /// Path → stream as of the operations applied so far (`nil`: removed); falls back to the table.
    var overlay: [String: FileStream?] = [:]
    var created: [FileStream] = []
    var removals: [Removal] = []
    /// Every stream in ``removals``.
    var removed: Set<ObjectIdentifier> = []
    var replies: [Reply] = []
    /// Expiries the writer noticed (reported at publish unless a request noticed them first).
    var expiredNotices: [(stream: FileStream, notice: ExpiredStream)] = []
    /// Forks attached to their sources in this group, by source: taken under the source's lock
    /// (``FileStream/State/reservedForks``) and given back at publish or roll-back.
    var reservations: [ObjectIdentifier: (source: FileStream, count: Int)] = [:]

    struct PendingStream {
        let stream: FileStream
        /// The log as committed before this group.
        let committed: LogGeometry
        var record: StreamRecord
        /// Frames to write at `committed.fileEnd`.
        var frames: ByteBuffer?
        var checkpoints: [LogPosition] = []
        var changedProducers: Set<String> = []
        /// Created by this group: no record and no log exist yet.
        var isNew: Bool
        var removed = false
        /// The record changed and must be written (a stream only read for a decision is left alone).
        var dirty = false
    }

    struct Removal {
        var stream: FileStream
        /// Whether LMDB holds the stream (false when it was created by this same group).
        var committed: Bool
    }

    enum Reply {
        case create(EventLoopPromise<CreateStreamOutcome>, Result<CreateStreamOutcome, StoreError>)
        case append(EventLoopPromise<AppendOutcome>, Result<AppendOutcome, StoreError>)
        case delete(EventLoopPromise<DeleteOutcome>, Result<DeleteOutcome, StoreError>)
    }

    /// The working state of the group still committing before this one, if any: this group builds on it.
    let carried: Carried?
    /// When this group's log writes started (for the sync latency metric).
    var started = ContinuousClock.now
    /// `fdatasync`s of the journal this group made (0 or 1).
    var journalSyncs = 0
    /// `fdatasync`s of a log this group made (1 when it synced its one log directly).
    var logSyncs = 0

    /// What a group still being committed leaves for the next one to build on.
    struct Carried: Sendable {
        var pending: [ObjectIdentifier: PendingStream]
        var overlay: [String: FileStream?]
        /// File names of the streams it removes.
        var removedNames: Set<String>
    }

    init(context: StoreContext, nextID: UInt64, carried: Carried? = nil) {
        self.context = context
        self.nextID = nextID
        self.firstID = nextID
        self.carried = carried
    }

    /// This group's working state, for the group applied while this one commits.
    var carry: Carried {
        Carried(pending: pending, overlay: overlay, removedNames: Set(removals.map { $0.stream.name }))
    }

    // MARK: - Applying

    mutating func apply(_ operation: WriteOperation) {
        switch operation {
        case .create(let create):
            replies.append(.create(create.promise, Result { () throws(StoreError) in try applyCreate(create) }))
        case .append(let append):
            replies.append(.append(append.promise, Result { () throws(StoreError) in try applyAppend(append) }))
        case .delete(let delete):
            replies.append(.delete(delete.promise, Result { () throws(StoreError) in try applyDelete(delete) }))
        case .reap(let stream):
            guard current(stream.path) === stream else { return }
            if let working = load(stream), working.record.forkReferences > 0 {
                softDelete(stream)
            } else {
                remove(stream)
            }
        case .flushAccessTimes:
            let streams = context.touched.withLock { touched in
                defer { touched = [:] }
                return Array(touched.values)
            }
            for stream in streams where load(stream) != nil { pending[ObjectIdentifier(stream)]?.dirty = true }
        }
    }

    private mutating func applyCreate(_ operation: CreateOperation) throws(StoreError) -> CreateStreamOutcome {
        let request = operation.request
        // An existing stream answers first, so a repeated fork request succeeds even once its source is gone.
        if let existing = current(request.path) {
            if let working = load(existing) {
                if working.record.softDeleted { throw .pathBlockedBySoftDeletedStream }
                if !working.record.isExpired(at: request.now) {
                    try CreateMatching.check(request, against: working.record.info())
                    return .alreadyExists(working.record.info())
                }
                if expire(existing, working: working, at: request.now) { throw .pathBlockedBySoftDeletedStream }
            } else {
                remove(existing)  // marked removed by an expiry check; its reap would no longer find it
            }
        }
        let name = DataDirectory.encodedName(of: request.path)
        let fork = try operation.fork.map { (result) throws(StoreError) in try result.get() }
        try checkNameIsFree(name, path: request.path)
        var record: StreamRecord
        if let fork {
            // The reference is taken last, when nothing can fail any more: a refused fork leaves none behind.
            let link = try attach(fork, now: request.now)
            record = StreamRecord(id: nextID, path: request.path, contentType: fork.plan.contentType, expiry: fork.plan.expiry, now: request.now, fork: link)
            record.expiryInherited = fork.plan.expiryInherited
        } else {
            record = StreamRecord(id: nextID, path: request.path, contentType: operation.contentType, expiry: request.expiry, now: request.now)
        }
        record.closed = request.closed
        nextID += 1
        let stream = FileStream(name: name, record: record, source: fork?.source, ancestry: fork?.plan.ancestry ?? [])
        var working = PendingStream(stream: stream, committed: record.log, record: record, isNew: true, dirty: true)
        addFrames(operation.payloads, to: &working)
        let info = working.record.info()
        let key = ObjectIdentifier(stream)
        pending[key] = working
        order.append(key)
        overlay[request.path] = .some(stream)
        created.append(stream)
        return .created(info)
    }

    private mutating func applyAppend(_ operation: AppendOperation) throws(StoreError) -> AppendOutcome {
        let request = operation.request
        guard let stream = current(request.path), var working = load(stream) else { throw .notFound(path: request.path) }
        if working.record.softDeleted { throw .gone(path: request.path) }
        if working.record.isExpired(at: request.now) {
            throw expire(stream, working: working, at: request.now) ? .gone(path: request.path) : .notFound(path: request.path)
        }
        let record = working.record
        let decision = try AppendRules.decide(
            request,
            hasBody: operation.hasBody,
            contentType: record.contentType,
            closed: record.closed,
            closedBy: record.closedBy,
            tail: record.tail,
            writer: record.writer
        )
        let plan: WriterState.Plan
        switch decision {
        case .duplicate(let outcome): return outcome
        case .accept(let accepted): plan = accepted
        }
        if operation.hasBody {
            switch operation.payloads {
            case .success(let payloads): addFrames(payloads, to: &working)
            case .failure(let error): throw .invalid(error)
            }
        }
        working.record.writer.commit(plan)
        if let producerID = plan.producerID { working.changedProducers.insert(producerID) }
        if request.close {
            working.record.closed = true
            working.record.closedBy = request.producer
        }
        working.record.touch(request.now)
        working.dirty = true
        pending[ObjectIdentifier(stream)] = working
        let kind: AppendOutcome.Kind = operation.hasBody ? .appended : .closed
        return AppendOutcome(kind: kind, tail: working.record.tail, closed: working.record.closed, producerAck: plan.ack)
    }

    private mutating func applyDelete(_ operation: DeleteOperation) throws(StoreError) -> DeleteOutcome {
        guard let stream = current(operation.path), let working = load(stream) else { throw .notFound(path: operation.path) }
        if working.record.softDeleted { throw .gone(path: operation.path) }
        if working.record.isExpired(at: operation.now) {
            throw expire(stream, working: working, at: operation.now) ? .gone(path: operation.path) : .notFound(path: operation.path)
        }
        let info = working.record.info()
        if working.record.forkReferences > 0 {
            softDelete(stream)
            return .softDeleted(info)
        }
        remove(stream)
        return .deleted(info)
    }

    /// The stream at `path` as of the operations applied so far.
    func current(_ path: String) -> FileStream? {
        if let entry = overlay[path] { return entry }
        if let entry = carried?.overlay[path] { return entry }
        return context.table.lookup(path)
    }

    /// The working copy of `stream`, made on first use; `nil` once the stream is removed. A stream a request
    /// found expired while forks use it is soft-deleted in memory before the writer hears of it: its working
    /// copy says so, and is persisted that way when written.
    mutating func load(_ stream: FileStream) -> PendingStream? {
        let key = ObjectIdentifier(stream)
        if let working = pending[key] { return working.removed ? nil : working }
        if let previous = carried?.pending[key] {
            // Written (or created) by the group still committing: its result is where this group starts. Should
            // that group fail, this one fails with it.
            guard !previous.removed else { return nil }
            // A request may have found it expired since (as below for committed streams), and reads may have
            // slid its TTL: take the later access time, or a flush of access times here would write an older one.
            let (lifecycle, lastAccess) = stream.state.withLock { ($0.lifecycle, $0.record.lastAccess) }
            if lifecycle == .removed { return nil }
            var record = previous.record
            if lifecycle == .softDeleted { record.softDeleted = true }
            if lastAccess > record.lastAccess { record.lastAccess = lastAccess }
            let working = PendingStream(stream: stream, committed: record.log, record: record, isNew: false)
            pending[key] = working
            order.append(key)
            return working
        }
        let record = stream.state.withLock { state -> StreamRecord? in
            switch state.lifecycle {
            case .removed: return nil
            case .softDeleted:
                var record = state.record
                record.softDeleted = true
                return record
            case .live: return state.record
            }
        }
        guard let record else { return nil }
        let working = PendingStream(stream: stream, committed: record.log, record: record, isNew: false)
        pending[key] = working
        order.append(key)
        return working
    }

    /// Expires a stream the writer found past its deadline: soft-deleted while forks use it, removed otherwise.
    /// Returns whether it was soft-deleted.
    private mutating func expire(_ stream: FileStream, working: PendingStream, at now: StoreTimestamp) -> Bool {
        expiredNotices.append((stream, ExpiredStream(path: stream.path, contentType: working.record.contentType, at: now)))
        if working.record.forkReferences > 0 {
            softDelete(stream)
            return true
        }
        remove(stream)
        return false
    }

    private mutating func addFrames(_ payloads: [ByteBuffer], to working: inout PendingStream) {
        guard !payloads.isEmpty else { return }
        var frames = working.frames ?? ByteBufferAllocator().buffer(
            capacity: payloads.reduce(0) { $0 + $1.readableBytes + Int(LogGeometry.frameHeaderSize) }
        )
        let isJSON = working.record.contentType.isJSON
        for (index, payload) in payloads.enumerated() {
            LogFrame.write(payload, continued: !isJSON && index < payloads.count - 1, to: &frames)
            if let checkpoint = working.record.log.addFrame(length: UInt64(payload.readableBytes)) {
                working.checkpoints.append(checkpoint)
            }
        }
        working.frames = frames
    }

    /// Two paths can only share a file name when both are long enough to be hashed: rule out that (astronomically
    /// unlikely) collision against the committed metadata.
    private func checkNameIsFree(_ name: String, path: String) throws(StoreError) {
        guard isHashedStreamName(name) else { return }
        let owner: String?
        do {
            owner = try context.metadata.recordPath(name: name)
        } catch {
            throw error.storeError
        }
        if let owner, owner != path, !removals.contains(where: { $0.stream.name == name }), carried?.removedNames.contains(name) != true {
            throw .unavailable("the stream's file name collides with that of another stream")
        }
    }
}
