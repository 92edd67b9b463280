import DSProtocol
import NIOCore
import Synchronization

/// A fast, ephemeral store that keeps every stream in memory.
///
/// Each stream has its own lock; operations answer synchronously on the caller's event loop.
/// Data is held in bounded segments shared with readers by reference, so live fan-out never copies
/// the appended bytes per reader. Use it for development, tests and caches; data is lost on exit.
public final class MemoryStreamStore: StreamStore {
    let table = StreamTable<MemoryStream>()
    private let expiring = Mutex<[ObjectIdentifier: MemoryStream]>([:])
    private let expiryObserver = Mutex<(@Sendable (ExpiredStream) -> Void)?>(nil)
    private let nextID: Atomic<UInt64>
    private let allocator = ByteBufferAllocator()

    /// Creates an empty store.
    public init() {
        // Random high bits keep ETags from different server runs apart.
        nextID = Atomic(UInt64.random(in: 1...UInt64(UInt32.max)) << 24)
    }

    /// The number of live streams.
    public var streamCount: Int { table.count }

    // MARK: - Create

    public func create(_ request: CreateStreamRequest, on eventLoop: any EventLoop) -> EventLoopFuture<CreateStreamOutcome> {
        eventLoop.makeCompletedFuture(Result { () throws(StoreError) in try createNow(request) })
    }

    private func createNow(_ request: CreateStreamRequest) throws(StoreError) -> CreateStreamOutcome {
        if request.fork != nil {
            throw .invalid(.invalidFork("this store does not support forks"))
        }
        let contentType = request.contentType ?? .defaultType
        var initial = request.body
        if contentType.isJSON && request.body.readableBytes > 0 {
            do {
                initial = try JSONStreamFraming.frame(request.body, allowEmptyArray: true, allocator: allocator).bytes
            } catch {
                throw .invalid(error)
            }
        }
        var replaced: (MemoryStream, [EventLoopPromise<StreamChange>])?
        let outcome = try table.withShard(of: request.path) { (streams) throws(StoreError) -> CreateStreamOutcome in
            if let existing = streams[request.path] {
                let (info, waiters) = existing.state.withLock { state -> (StreamInfo?, [EventLoopPromise<StreamChange>]) in
                    if state.removed { return (nil, []) }
                    if state.isExpired(at: request.now) {
                        state.removed = true
                        return (nil, state.waiters.takeAll())
                    }
                    return (state.info(path: existing.path, id: existing.id), [])
                }
                if let info {
                    try CreateMatching.check(request, against: info)
                    return .alreadyExists(info)
                }
                replaced = (existing, waiters)
            }
            var state = MemoryStream.State(contentType: contentType, expiry: request.expiry, now: request.now)
            state.store(initial)
            state.closed = request.closed
            let stream = MemoryStream(path: request.path, id: nextID.wrappingAdd(1, ordering: .relaxed).newValue, state: state)
            streams[request.path] = stream
            let info = stream.state.withLock { $0.info(path: stream.path, id: stream.id) }
            if request.expiry != .none { expiring.withLock { $0[ObjectIdentifier(stream)] = stream } }
            return .created(info)
        }
        if let (old, waiters) = replaced {
            expiring.withLock { $0[ObjectIdentifier(old)] = nil }
            waiters.fire(.deleted)
            notifyExpired(old, at: request.now)
        }
        return outcome
    }

    // MARK: - Append

    public func append(_ request: AppendRequest, on eventLoop: any EventLoop) -> EventLoopFuture<AppendOutcome> {
        eventLoop.makeCompletedFuture(Result { () throws(StoreError) in try appendNow(request) })
    }

    private func appendNow(_ request: AppendRequest) throws(StoreError) -> AppendOutcome {
        guard let stream = table.lookup(request.path) else { throw .notFound(path: request.path) }
        let hasBody = request.body.readableBytes > 0
        // Validate and frame JSON before taking the lock; errors are reported in protocol precedence order below.
        var framed: Result<ByteBuffer, ProtocolError> = .success(request.body)
        if hasBody, request.contentType?.isJSON == true {
            framed = Result { () throws(ProtocolError) in
                try JSONStreamFraming.frame(request.body, allowEmptyArray: false, allocator: allocator).bytes
            }
        }
        var expired = false
        let result = stream.state.withLock { state -> Result<(AppendOutcome, [EventLoopPromise<StreamChange>]), StoreError> in
            if state.removed { return .failure(.notFound(path: request.path)) }
            if state.isExpired(at: request.now) {
                state.removed = true
                expired = true
                return .failure(.notFound(path: request.path))
            }
            return Result { () throws(StoreError) in try Self.apply(request, hasBody: hasBody, framed: framed, to: &state) }
        }
        if expired { expire(stream, at: request.now) }
        let (outcome, waiters) = try result.get()
        waiters.fire(outcome.closed && outcome.kind == .closed ? .closed : .dataAvailable)
        return outcome
    }

    private static func apply(
        _ request: AppendRequest,
        hasBody: Bool,
        framed: Result<ByteBuffer, ProtocolError>,
        to state: inout MemoryStream.State
    ) throws(StoreError) -> (AppendOutcome, [EventLoopPromise<StreamChange>]) {
        let plan: WriterState.Plan
        let decision = try AppendRules.decide(
            request,
            hasBody: hasBody,
            contentType: state.contentType,
            closed: state.closed,
            closedBy: state.closedBy,
            tail: state.tail,
            writer: state.writer
        )
        switch decision {
        case .duplicate(let outcome):
            return (outcome, [])
        case .accept(let accepted):
            plan = accepted
        }
        if hasBody {
            switch framed {
            case .success(let bytes): state.store(bytes)
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
        return (AppendOutcome(kind: kind, tail: state.tail, closed: state.closed, producerAck: plan.ack), state.waiters.takeAll())
    }

    // MARK: - Read

    public func read(_ request: ReadRequest, on eventLoop: any EventLoop) -> EventLoopFuture<ReadOutcome> {
        eventLoop.makeCompletedFuture(Result { () throws(StoreError) in try readNow(request) })
    }

    private func readNow(_ request: ReadRequest) throws(StoreError) -> ReadOutcome {
        let stream = try liveStream(request.path, now: request.now)
        return try stream.state.withLock { (state) throws(StoreError) -> ReadOutcome in
            state.touch(request.now)
            let tail = state.data.count
            let start: UInt64
            switch request.start {
            case .beginning: start = 0
            case .tail: start = tail
            case .offset(let offset):
                guard offset.segment == 0, offset.position <= tail else {
                    throw .invalid(.badRequest("offset is beyond the stream's tail"))
                }
                start = state.alignedStart(offset.position)
            }
            let end = start == tail ? tail : state.readEnd(from: start, maxBytes: request.maxBytes)
            return ReadOutcome(
                info: state.info(path: stream.path, id: stream.id),
                start: StreamOffset(position: start),
                next: StreamOffset(position: end),
                chunks: state.data.slices(from: start, to: end)
            )
        }
    }

    // MARK: - Metadata and delete

    public func metadata(path: String, now: StoreTimestamp, on eventLoop: any EventLoop) -> EventLoopFuture<StreamInfo> {
        eventLoop.makeCompletedFuture(Result { () throws(StoreError) in
            let stream = try liveStream(path, now: now)
            return stream.state.withLock { $0.info(path: stream.path, id: stream.id) }
        })
    }

    public func delete(path: String, now: StoreTimestamp, on eventLoop: any EventLoop) -> EventLoopFuture<DeleteOutcome> {
        eventLoop.makeCompletedFuture(Result { () throws(StoreError) in
            let stream = try liveStream(path, now: now)
            let removed = stream.state.withLock { state -> (StreamInfo, [EventLoopPromise<StreamChange>])? in
                if state.removed { return nil }
                state.removed = true
                return (state.info(path: stream.path, id: stream.id), state.waiters.takeAll())
            }
            guard let (info, waiters) = removed else { throw .notFound(path: path) }
            table.remove(stream)
            expiring.withLock { $0[ObjectIdentifier(stream)] = nil }
            waiters.fire(.deleted)
            return .deleted(info)
        })
    }

    // MARK: - Waiting

    public func waitForChange(path: String, after offset: StreamOffset, promise: EventLoopPromise<StreamChange>) -> StreamWait {
        guard let stream = table.lookup(path) else {
            promise.succeed(.deleted)
            return StreamWait(cancel: nil)
        }
        let registration = stream.state.withLock { state in
            state.waiters.register(promise, after: offset, tail: state.data.count, closed: state.closed, removed: state.removed)
        }
        return registration.wait(completing: promise) { [stream] id in
            _ = stream.state.withLock { $0.waiters.remove(id) }
        }
    }

    // MARK: - Expiry

    public func removeExpired(now: StoreTimestamp) -> [String] {
        let candidates = expiring.withLock { Array($0.values) }
        var removed: [String] = []
        for stream in candidates {
            let waiters = stream.state.withLock { state -> [EventLoopPromise<StreamChange>]? in
                guard !state.removed, state.isExpired(at: now) else { return nil }
                state.removed = true
                return state.waiters.takeAll()
            }
            guard let waiters else { continue }
            expire(stream, at: now)
            waiters.fire(.deleted)
            removed.append(stream.path)
        }
        return removed
    }

    public func setExpiryObserver(_ observer: @escaping @Sendable (ExpiredStream) -> Void) {
        expiryObserver.withLock { $0 = observer }
    }

    public func close() async throws {}

    // MARK: - Helpers

    /// The stream at `path` unless it is missing, removed or expired (expiring it on the spot).
    private func liveStream(_ path: String, now: StoreTimestamp) throws(StoreError) -> MemoryStream {
        guard let stream = table.lookup(path) else { throw .notFound(path: path) }
        let status = stream.state.withLock { state -> (alive: Bool, waiters: [EventLoopPromise<StreamChange>]?) in
            if state.removed { return (false, nil) }
            if state.isExpired(at: now) {
                state.removed = true
                return (false, state.waiters.takeAll())
            }
            return (true, nil)
        }
        if let waiters = status.waiters {
            expire(stream, at: now)
            waiters.fire(.deleted)
        }
        guard status.alive else { throw .notFound(path: path) }
        return stream
    }

    /// Unlinks an expired stream (already marked removed) and reports it.
    private func expire(_ stream: MemoryStream, at now: StoreTimestamp) {
        table.remove(stream)
        expiring.withLock { $0[ObjectIdentifier(stream)] = nil }
        notifyExpired(stream, at: now)
    }

    private func notifyExpired(_ stream: MemoryStream, at now: StoreTimestamp) {
        let contentType = stream.state.withLock { $0.contentType }
        let observer = expiryObserver.withLock { $0 }
        observer?(ExpiredStream(path: stream.path, contentType: contentType, at: now))
    }
}
