import DSProtocol
import Foundation
import NIOCore

/// Exactly-once, fire-and-forget appends to one stream.
///
/// Appends return as soon as they are queued. The producer groups them into batches (up to
/// ``ProducerOptions/maxBatchBytes``, or whatever arrived within ``ProducerOptions/linger``), sends up to
/// ``ProducerOptions/maxInFlight`` batches at once on separate requests, and stamps each request with
/// `Producer-Id`, `Producer-Epoch` and `Producer-Seq`. The server stores each `(epoch, seq)` once, so every
/// retry after a lost response, a reset connection or a `5xx` is safe: a batch that was already stored is
/// answered `204` and not stored again.
///
/// ```swift
/// let producer = IdempotentProducer(stream: stream, id: "orders-1", epoch: savedEpoch + 1)
/// for order in orders { try await producer.append(json: order) }
/// try await producer.flush()          // everything above is stored
/// try await producer.close()          // flush, then close the stream
/// ```
///
/// **Epochs.** A restarted producer must use a higher epoch than its previous run (persist it), which also
/// fences off a previous instance that is still running: the server answers its requests `403`. With
/// ``ProducerOptions/autoClaim`` the producer instead takes the next epoch itself when it meets a newer or
/// already used one.
///
/// **Failures.** Errors that retrying cannot fix (the stream was closed or deleted, the epoch is stale, the
/// retry policy gave up) fail the producer: ``flush()``, ``close(final:)`` and later appends throw the
/// error, and ``ProducerOptions/onError`` is called once.
public actor IdempotentProducer {
    /// The stream written to.
    public nonisolated let stream: DurableStream
    /// The producer id (`Producer-Id`): stable across restarts of the same logical producer.
    public nonisolated let id: String
    /// The options given at creation.
    public nonisolated let options: ProducerOptions
    /// The current epoch (it changes only by auto-claim).
    public internal(set) var epoch: UInt64
    /// What the producer did so far.
    public internal(set) var statistics = ProducerStatistics()

    enum Lifecycle { case open, closing, closed, detached }

    typealias FlushWaiter = (id: Int, target: Int, continuation: CheckedContinuation<Result<Void, DurableStreamError>, Never>)

    var lifecycle = Lifecycle.open
    var contentType: String?
    var resolvingContentType = false
    var nextBatchID = 0
    var nextSeq: UInt64 = 0
    /// Whether the server acknowledged a batch of the current epoch: until then only one request is on the
    /// wire, because a new epoch must start with sequence 0 arriving first.
    var epochConfirmed = false
    var open: ProducerBatch?
    var lingerGeneration = 0
    var queue: [ProducerBatch] = []
    var inFlight: [Int: ProducerBatch] = [:]
    var unacknowledged: Set<Int> = []
    var bufferedBytes = 0
    var failure: DurableStreamError?
    var claimEpoch: UInt64?
    var flushWaiters: [FlushWaiter] = []
    var nextWaiterID = 0
    var spaceWaiters: [CheckedContinuation<Void, Never>] = []
    var closeResult: AppendResult?

    /// Creates a producer for `stream`.
    ///
    /// - Parameters:
    ///   - id: the producer's stable identity; must not be empty.
    ///   - epoch: this instance's epoch: `0` the first time, higher than any earlier instance's after a restart.
    public init(stream: DurableStream, id: String, epoch: UInt64 = 0, options: ProducerOptions = ProducerOptions()) {
        precondition(!id.isEmpty, "a producer id must not be empty")
        self.stream = stream
        self.id = id
        self.epoch = epoch
        self.options = options
        self.contentType = stream.contentType
    }

    // MARK: Appending

    /// Queues bytes. On a JSON stream each appended buffer must be exactly one JSON value (one message).
    public func append(_ buffer: ByteBuffer) async throws(DurableStreamError) {
        try ensureAccepting()
        let size = buffer.readableBytes
        guard size > 0 else { throw DurableStreamError(.invalidArgument, "a producer append needs at least one byte") }
        while bufferedBytes > 0 && bufferedBytes + size > options.maxBufferedBytes {
            await withCheckedContinuation { spaceWaiters.append($0) }
            try ensureAccepting()
        }
        if let current = open, current.byteCount + size > options.maxBatchBytes { seal() }
        if open == nil {
            open = ProducerBatch(id: makeBatchID(), parts: [], byteCount: 0)
            startLinger()
        }
        open!.parts.append(buffer)
        open!.byteCount += size
        bufferedBytes += size
        if open!.byteCount >= options.maxBatchBytes || options.linger <= .zero { seal() }
        dispatch()
    }

    /// Queues raw bytes (`[UInt8]`, `Data`, …).
    public func append(_ bytes: some Sequence<UInt8>) async throws(DurableStreamError) {
        try await append(ByteBuffer(bytes: bytes))
    }

    /// Queues UTF-8 text.
    public func append(_ text: String) async throws(DurableStreamError) {
        try await append(ByteBuffer(string: text))
    }

    /// Queues one JSON message.
    public func append<T: Encodable>(json value: T, encoder: JSONEncoder = JSONEncoder()) async throws(DurableStreamError) {
        try await append(ByteBuffer(bytes: try encodeJSON(value, encoder: encoder)))
    }

    /// Sends everything queued and returns when the server has acknowledged all of it.
    ///
    /// - Throws: the producer's failure, if it failed; ``DurableStreamError/Code/cancelled`` when the calling
    ///   task is cancelled (the data stays queued and is still sent).
    public func flush() async throws(DurableStreamError) {
        if let failure { throw failure }
        try await flushAll()
    }

    /// Flushes, then closes the stream, appending `final` atomically with the close when given. The close
    /// carries the producer stamp, so retrying it is safe too.
    @discardableResult
    public func close(final body: StreamBody? = nil) async throws(DurableStreamError) -> AppendResult {
        try ensureAccepting()
        lifecycle = .closing
        try await flushAll()
        var batch = ProducerBatch(id: makeBatchID(), parts: [], body: body?.buffer ?? ByteBuffer(), byteCount: body?.count ?? 0)
        batch.closes = true
        enqueue(batch)
        dispatch()
        try await flushAll()
        lifecycle = .closed
        return closeResult ?? AppendResult(nextOffset: nil, closed: true)
    }

    /// Flushes and stops accepting appends, leaving the stream open (for handing the id to a new instance).
    public func detach() async throws(DurableStreamError) {
        try ensureAccepting()
        lifecycle = .detached
        try await flushAll()
    }

    func ensureAccepting() throws(DurableStreamError) {
        if let failure { throw failure }
        guard lifecycle == .open else {
            throw DurableStreamError(.invalidArgument, "the producer \(id) was closed or detached")
        }
    }

    func flushAll() async throws(DurableStreamError) {
        seal()
        dispatch()
        let target = nextBatchID - 1
        guard unacknowledged.contains(where: { $0 <= target }) else {
            if let failure { throw failure }
            return
        }
        nextWaiterID += 1
        let waiterID = nextWaiterID
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<Void, DurableStreamError>, Never>) in
                if Task.isCancelled {
                    continuation.resume(returning: .failure(Self.cancelled))
                } else {
                    flushWaiters.append((waiterID, target, continuation))
                }
            }
        } onCancel: {
            Task { await self.cancelFlush(waiterID) }
        }
        try result.get()
    }

    static let cancelled = DurableStreamError(.cancelled, "the wait for the producer's acknowledgements was cancelled")

    /// Ends one flush wait early because its task was cancelled; the data stays queued.
    func cancelFlush(_ waiterID: Int) {
        guard let index = flushWaiters.firstIndex(where: { $0.id == waiterID }) else { return }
        flushWaiters.remove(at: index).continuation.resume(returning: .failure(Self.cancelled))
    }

    // MARK: Batching

    func makeBatchID() -> Int {
        defer { nextBatchID += 1 }
        return nextBatchID
    }

    func startLinger() {
        lingerGeneration += 1
        guard options.linger > .zero else { return }
        let generation = lingerGeneration
        let linger = options.linger
        Task {
            try? await Task.sleep(for: linger)
            self.lingerExpired(generation)
        }
    }

    func lingerExpired(_ generation: Int) {
        guard generation == lingerGeneration, open != nil else { return }
        seal()
        dispatch()
    }

    /// Closes the open batch and queues it with the next sequence number.
    func seal() {
        guard let batch = open else { return }
        open = nil
        lingerGeneration += 1
        enqueue(batch)
    }

    func enqueue(_ batch: ProducerBatch) {
        var batch = batch
        batch.epoch = epoch
        batch.seq = nextSeq
        nextSeq += 1
        queue.append(batch)
        unacknowledged.insert(batch.id)
    }
}

extension DurableStream {
    /// An idempotent producer writing to this stream; see ``IdempotentProducer``.
    public func producer(id: String, epoch: UInt64 = 0, options: ProducerOptions = ProducerOptions()) -> IdempotentProducer {
        IdempotentProducer(stream: self, id: id, epoch: epoch, options: options)
    }
}
