import DSProtocol
import NIOCore
import Synchronization

/// A fast, ephemeral store that keeps every stream in memory.
///
/// Each stream has its own lock; operations answer synchronously on the caller's event loop.
/// Data is held in bounded segments shared with readers by reference, so live fan-out never copies
/// the appended bytes per reader. Use it for development, tests and caches; data is lost on exit.
///
/// Forks share their ancestors' bytes by reference (see `MemoryStream`). Lock order: a table shard lock
/// may be held while taking one stream lock, never the reverse; no code path holds two stream locks or two
/// shard locks at once. A fork reads its ancestors' data by locking them one after the other, never nested,
/// which is safe because bytes below a fork offset never change.
public final class MemoryStreamStore: StreamStore {
    let table = MemoryStreamTable()
    let expiring = Mutex<[ObjectIdentifier: MemoryStream]>([:])
    private let expiryObserver = Mutex<(@Sendable (ExpiredStream) -> Void)?>(nil)
    private let nextID: Atomic<UInt64>
    let allocator = ByteBufferAllocator()

    /// Creates an empty store.
    public init() {
        // Random high bits keep ETags from different server runs apart.
        nextID = Atomic(UInt64.random(in: 1...UInt64(UInt32.max)) << 24)
    }

    /// The number of streams held, soft-deleted ones included.
    public var streamCount: Int { table.count }

    /// The number of live waiters registered on the stream at `path` (0 when it does not exist).
    public func waiterCount(path: String) -> Int {
        table.lookup(path)?.state.withLock { $0.waiters.count } ?? 0
    }

    // MARK: - Create

    public func create(_ request: CreateStreamRequest, on eventLoop: any EventLoop) -> EventLoopFuture<CreateStreamOutcome> {
        eventLoop.makeCompletedFuture(Result { () throws(StoreError) in try createNow(request) })
    }

    private func createNow(_ request: CreateStreamRequest) throws(StoreError) -> CreateStreamOutcome {
        // An existing stream answers first, so a repeated fork request succeeds even once its source is gone.
        do {
            let info = try withLiveStream(request.path, now: request.now) { stream, state in stream.info(state) }
            try CreateMatching.check(request, against: info)
            return .alreadyExists(info)
        } catch {
            switch error {
            case .notFound: break
            case .gone: throw .pathBlockedBySoftDeletedStream
            default: throw error
            }
        }
        let plan = try request.fork.map { spec throws(StoreError) in try planFork(request, spec) } ?? NewStreamPlan(request)
        var initial = request.body
        var initialMessageEnds: [Int]?
        if plan.contentType.isJSON && request.body.readableBytes > 0 {
            do {
                (initial, initialMessageEnds) = try JSONStreamFraming.frameMessages(request.body, allowEmptyArray: true, allocator: allocator)
            } catch {
                throw .invalid(error)
            }
        }
        return try install(request, plan: plan, initial: FramedBody(bytes: initial, messageEnds: initialMessageEnds))
    }

    /// Adds the new stream under its shard's lock, unless a stream appeared at the path meanwhile.
    private func install(_ request: CreateStreamRequest, plan: NewStreamPlan, initial: FramedBody) throws(StoreError) -> CreateStreamOutcome {
        var expired: (stream: MemoryStream, waiters: [any StreamWaiter], removed: Bool)?
        let result = table.withShard(of: request.path) { streams -> Result<CreateStreamOutcome, StoreError> in
            if let existing = streams[request.path] {
                let status = existing.state.withLock { state -> ExistingStream in
                    switch state.lifecycle {
                    case .removed: return .vacant
                    case .softDeleted: return .blocked
                    case .live:
                        guard state.isExpired(at: request.now) else { return .present(existing.info(state)) }
                        expired = (existing, state.markDeleted(), state.lifecycle == .removed)
                        return state.lifecycle == .removed ? .vacant : .blocked
                    }
                }
                switch status {
                case .present(let info):
                    return Result { () throws(StoreError) in
                        try CreateMatching.check(request, against: info)
                        return .alreadyExists(info)
                    }
                case .blocked: return .failure(.pathBlockedBySoftDeletedStream)
                case .vacant: break
                }
            }
            if let origin = plan.origin {
                // The reference is taken last, when nothing can fail any more: a rejected fork leaves none behind.
                if let refusal = Self.attach(to: origin.source, now: request.now) { return .failure(refusal) }
            }
            var state = MemoryStream.State(base: plan.base, contentType: plan.contentType, expiry: plan.expiry, now: request.now)
            state.expiryInherited = plan.expiryInherited
            state.store(initial.bytes, messageEnds: initial.messageEnds)
            state.closed = request.closed
            let stream = MemoryStream(
                path: request.path,
                id: nextID.wrappingAdd(1, ordering: .relaxed).newValue,
                base: plan.base,
                origin: plan.origin,
                ancestry: plan.ancestry,
                state: state
            )
            streams[request.path] = stream
            if plan.expiry != .none { expiring.withLock { $0[ObjectIdentifier(stream)] = stream } }
            return .success(.created(stream.state.withLock { stream.info($0) }))
        }
        if let expired {
            finishRemoval(expired.stream, removed: expired.removed, waiters: expired.waiters, expiredAt: request.now)
        }
        return try result.get()
    }

    /// Takes one reference on a fork's source, unless it was deleted or expired since the fork was planned.
    private static func attach(to source: MemoryStream, now: StoreTimestamp) -> StoreError? {
        source.state.withLock { state -> StoreError? in
            switch state.lifecycle {
            case .removed: return .notFound(path: source.path)
            case .softDeleted: return .forkSourceGone(path: source.path)
            case .live:
                // Expired but not yet noticed: answer as the next access will, and let that access clean up.
                if state.isExpired(at: now) {
                    return state.forkCount > 0 ? .forkSourceGone(path: source.path) : .notFound(path: source.path)
                }
                state.forkCount += 1
                return nil
            }
        }
    }

    private enum ExistingStream {
        case present(StreamInfo)
        case blocked
        case vacant
    }

    // MARK: - Append

    public func append(_ request: AppendRequest, on eventLoop: any EventLoop) -> EventLoopFuture<AppendOutcome> {
        eventLoop.makeCompletedFuture(Result { () throws(StoreError) in try appendNow(request) })
    }

    public func appendImmediately(_ request: AppendRequest) -> Result<AppendOutcome, StoreError>? {
        Result { () throws(StoreError) in try appendNow(request) }
    }

    private func appendNow(_ request: AppendRequest) throws(StoreError) -> AppendOutcome {
        let hasBody = request.body.readableBytes > 0
        // Validate and frame JSON before taking the lock; errors are reported in protocol precedence order below.
        var framed: Result<FramedBody, ProtocolError> = .success(FramedBody(bytes: request.body, messageEnds: nil))
        if hasBody, request.contentType?.isJSON == true {
            framed = Result { () throws(ProtocolError) in
                let (bytes, ends) = try JSONStreamFraming.frameMessages(request.body, allowEmptyArray: false, allocator: allocator)
                return FramedBody(bytes: bytes, messageEnds: ends)
            }
        }
        let (outcome, waiters) = try withLiveStream(request.path, now: request.now) { _, state throws(StoreError) in
            try Self.apply(request, hasBody: hasBody, framed: framed, to: &state)
        }
        waiters.fire(outcome.closed && outcome.kind == .closed ? .closed : .dataAvailable)
        return outcome
    }

    private static func apply(
        _ request: AppendRequest,
        hasBody: Bool,
        framed: Result<FramedBody, ProtocolError>,
        to state: inout MemoryStream.State
    ) throws(StoreError) -> (AppendOutcome, [any StreamWaiter]) {
        let tail = StreamOffset(position: state.tail)
        if state.closed {
            if !hasBody && request.close {
                return (AppendOutcome(kind: .duplicate, tail: tail, closed: true), [])
            }
            if let stamp = request.producer, stamp == state.closedBy {
                let ack = ProducerAck(epoch: stamp.epoch, seq: stamp.seq)
                return (AppendOutcome(kind: .duplicate, tail: tail, closed: true, producerAck: ack), [])
            }
            throw .streamClosed(tail: tail)
        }
        if hasBody {
            guard let contentType = request.contentType else {
                throw .invalid(.badRequest("Content-Type is required when appending data"))
            }
            guard contentType.matches(state.contentType) else {
                throw .contentTypeMismatch(expected: state.contentType, received: contentType)
            }
        }
        let plan: WriterState.Plan
        switch try state.writer.check(producer: request.producer, seq: request.seq) {
        case .duplicate(let ack):
            return (AppendOutcome(kind: .duplicate, tail: tail, closed: state.closed, producerAck: ack), [])
        case .accept(let accepted):
            plan = accepted
        }
        if hasBody {
            switch framed {
            case .success(let body): state.store(body.bytes, messageEnds: body.messageEnds)
            case .failure(let error): throw .invalid(error)
            }
        }
        state.writer.commit(plan)
        if request.close {
            state.closed = true
            state.closedBy = request.producer
        }
        state.touch(request.now)
        let kind: AppendOutcome.Kind = hasBody ? .appended : .closed
        let outcome = AppendOutcome(kind: kind, tail: StreamOffset(position: state.tail), closed: state.closed, producerAck: plan.ack)
        return (outcome, state.waiters.takeAll())
    }

    // MARK: - Metadata

    public func metadata(path: String, now: StoreTimestamp, on eventLoop: any EventLoop) -> EventLoopFuture<StreamInfo> {
        eventLoop.makeCompletedFuture(Result { () throws(StoreError) in
            try withLiveStream(path, now: now) { stream, state in stream.info(state) }
        })
    }

    public func list(now: StoreTimestamp, on eventLoop: any EventLoop) -> EventLoopFuture<[StreamInfo]> {
        let streams = table.all()
        let infos = streams.compactMap { stream in
            stream.state.withLock { state -> StreamInfo? in
                guard state.lifecycle == .live, !state.isExpired(at: now) else { return nil }
                return stream.info(state)
            }
        }
        return eventLoop.makeSucceededFuture(infos)
    }

    // MARK: - Waiting

    public func waitForChange(path: String, after offset: StreamOffset, promise: EventLoopPromise<StreamChange>) -> StreamWait {
        waitForChange(path: path, after: offset, waiter: PromiseWaiter(promise))
    }

    public func waitForChange(path: String, after offset: StreamOffset, waiter: any StreamWaiter) -> StreamWait {
        guard let stream = table.lookup(path) else {
            waiter.streamChanged(.deleted)
            return StreamWait(cancel: nil)
        }
        // Only this stream's own appends and closure wake its waiters; a fork's source has its own list.
        let registration = stream.state.withLock { state -> WaitRegistration in
            state.waiters.register(waiter, after: offset, tail: state.tail, closed: state.closed, removed: !state.isLive)
        }
        return registration.wait(notifying: waiter) { [stream] id in
            _ = stream.state.withLock { $0.waiters.remove(id) }
        }
    }

    // MARK: - Expiry observer and shutdown

    public func setExpiryObserver(_ observer: @escaping @Sendable (ExpiredStream) -> Void) {
        expiryObserver.withLock { $0 = observer }
    }

    public func close() async throws {}

    func notifyExpired(_ stream: MemoryStream, at now: StoreTimestamp) {
        let contentType = stream.state.withLock { $0.contentType }
        let observer = expiryObserver.withLock { $0 }
        observer?(ExpiredStream(path: stream.path, contentType: contentType, at: now))
    }

    // MARK: - Access

    /// Runs `body` under the lock of the live stream at `path`.
    ///
    /// Throws ``StoreError/notFound(path:)`` when there is none and ``StoreError/gone(path:)`` when it is
    /// soft-deleted. A stream found expired is deleted on the spot (softly if forks use it) and reported.
    func withLiveStream<R: Sendable>(
        _ path: String,
        now: StoreTimestamp,
        _ body: (MemoryStream, inout MemoryStream.State) throws(StoreError) -> R
    ) throws(StoreError) -> R {
        guard let stream = table.lookup(path) else { throw .notFound(path: path) }
        var expired: (waiters: [any StreamWaiter], removed: Bool)?
        let result = stream.state.withLock { state -> Result<R, StoreError> in
            switch state.lifecycle {
            case .removed: return .failure(.notFound(path: path))
            case .softDeleted: return .failure(.gone(path: path))
            case .live: break
            }
            if state.isExpired(at: now) {
                expired = (state.markDeleted(), state.lifecycle == .removed)
                return .failure(state.lifecycle == .removed ? .notFound(path: path) : .gone(path: path))
            }
            return Result { () throws(StoreError) in try body(stream, &state) }
        }
        if let expired { finishRemoval(stream, removed: expired.removed, waiters: expired.waiters, expiredAt: now) }
        return try result.get()
    }
}

/// What a create makes: a plain stream, or a fork resolved against its source.
struct NewStreamPlan: Sendable {
    var contentType: StreamContentType
    var expiry: StreamExpiry
    var expiryInherited = false
    var base: UInt64 = 0
    var origin: ForkOrigin?
    var ancestry: [InheritedRange<MemoryStream>] = []

    /// A plain, empty stream as the request describes it.
    init(_ request: CreateStreamRequest) {
        contentType = request.contentType ?? .defaultType
        expiry = request.expiry
    }

    init(contentType: StreamContentType, expiry: StreamExpiry, expiryInherited: Bool, base: UInt64, origin: ForkOrigin, ancestry: [InheritedRange<MemoryStream>]) {
        self.contentType = contentType
        self.expiry = expiry
        self.expiryInherited = expiryInherited
        self.base = base
        self.origin = origin
        self.ancestry = ancestry
    }
}

/// An append body in stored form, with the message ends its JSON framing already found (so storing it
/// need not scan the bytes again); `messageEnds` is `nil` for bodies that were not framed as JSON.
struct FramedBody: Sendable {
    var bytes: ByteBuffer
    var messageEnds: [Int]?
}
