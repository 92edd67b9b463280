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
    public private(set) var epoch: UInt64
    /// What the producer did so far.
    public private(set) var statistics = ProducerStatistics()

    private enum Lifecycle { case open, closing, closed, detached }

    private typealias FlushWaiter = (id: Int, target: Int, continuation: CheckedContinuation<Result<Void, DurableStreamError>, Never>)

    private var lifecycle = Lifecycle.open
    private var contentType: String?
    private var resolvingContentType = false
    private var nextBatchID = 0
    private var nextSeq: UInt64 = 0
    /// Whether the server acknowledged a batch of the current epoch: until then only one request is on the
    /// wire, because a new epoch must start with sequence 0 arriving first.
    private var epochConfirmed = false
    private var open: ProducerBatch?
    private var lingerGeneration = 0
    private var queue: [ProducerBatch] = []
    private var inFlight: [Int: ProducerBatch] = [:]
    private var unacknowledged: Set<Int> = []
    private var bufferedBytes = 0
    private var failure: DurableStreamError?
    private var claimEpoch: UInt64?
    private var flushWaiters: [FlushWaiter] = []
    private var nextWaiterID = 0
    private var spaceWaiters: [CheckedContinuation<Void, Never>] = []
    private var closeResult: AppendResult?

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

    private func ensureAccepting() throws(DurableStreamError) {
        if let failure { throw failure }
        guard lifecycle == .open else {
            throw DurableStreamError(.invalidArgument, "the producer \(id) was closed or detached")
        }
    }

    private func flushAll() async throws(DurableStreamError) {
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

    private static let cancelled = DurableStreamError(.cancelled, "the wait for the producer's acknowledgements was cancelled")

    /// Ends one flush wait early because its task was cancelled; the data stays queued.
    private func cancelFlush(_ waiterID: Int) {
        guard let index = flushWaiters.firstIndex(where: { $0.id == waiterID }) else { return }
        flushWaiters.remove(at: index).continuation.resume(returning: .failure(Self.cancelled))
    }

    // MARK: Batching

    private func makeBatchID() -> Int {
        defer { nextBatchID += 1 }
        return nextBatchID
    }

    private func startLinger() {
        lingerGeneration += 1
        guard options.linger > .zero else { return }
        let generation = lingerGeneration
        let linger = options.linger
        Task {
            try? await Task.sleep(for: linger)
            self.lingerExpired(generation)
        }
    }

    private func lingerExpired(_ generation: Int) {
        guard generation == lingerGeneration, open != nil else { return }
        seal()
        dispatch()
    }

    /// Closes the open batch and queues it with the next sequence number.
    private func seal() {
        guard let batch = open else { return }
        open = nil
        lingerGeneration += 1
        enqueue(batch)
    }

    private func enqueue(_ batch: ProducerBatch) {
        var batch = batch
        batch.epoch = epoch
        batch.seq = nextSeq
        nextSeq += 1
        queue.append(batch)
        unacknowledged.insert(batch.id)
    }

    // MARK: Sending

    /// Sends queued batches while the pipeline has room and ordering rules allow.
    private func dispatch() {
        guard failure == nil, claimEpoch == nil else { return }
        guard let contentType else {
            resolveContentType()
            return
        }
        let json = StreamContentType(contentType).isJSON
        while let first = queue.first, inFlight.count < max(1, options.maxInFlight) {
            if !epochConfirmed && (!inFlight.isEmpty || first.seq != 0) { break }
            if first.waitsForPredecessors && inFlight.values.contains(where: { $0.seq < first.seq }) { break }
            var batch = queue.removeFirst()
            batch.waitsForPredecessors = false
            _ = batch.buildBody(json: json)
            inFlight[batch.id] = batch
            statistics.peakInFlight = max(statistics.peakInFlight, inFlight.count)
            send(batch, contentType: contentType, after: nil)
        }
    }

    private func send(_ batch: ProducerBatch, contentType: String, after delay: Duration?) {
        var headers: [(String, String)] = [
            (ProtocolHeader.producerID, id),
            (ProtocolHeader.producerEpoch, String(batch.epoch)),
            (ProtocolHeader.producerSeq, String(batch.seq)),
        ]
        let body = batch.body ?? ByteBuffer()
        if body.readableBytes > 0 { headers.append(("Content-Type", contentType)) }
        if batch.closes { headers.append((ProtocolHeader.streamClosed, "true")) }
        let spec = RequestSpec(
            method: .POST, url: stream.url, headers: headers, body: body.readableBytes > 0 ? body : nil,
            timeout: stream.configuration.requestTimeout
        )
        let exchange = stream.exchange
        let batchID = batch.id
        Task {
            if let delay { try? await Task.sleep(for: delay) }
            let result: Result<CollectedResponse, DurableStreamError>
            do throws(DurableStreamError) {
                result = .success(try await exchange.exchange(spec))
            } catch {
                result = .failure(error)
            }
            self.complete(batchID, result)
        }
    }

    private func resolveContentType() {
        guard !resolvingContentType else { return }
        resolvingContentType = true
        let stream = self.stream
        Task {
            let result: Result<String, DurableStreamError>
            do throws(DurableStreamError) {
                result = .success(try await stream.resolvedContentType())
            } catch {
                result = .failure(error)
            }
            self.contentTypeResolved(result)
        }
    }

    private func contentTypeResolved(_ result: Result<String, DurableStreamError>) {
        resolvingContentType = false
        switch result {
        case .success(let type):
            contentType = type
            dispatch()
        case .failure(let error):
            fail(error)
        }
    }

    // MARK: Outcomes

    private func complete(_ batchID: Int, _ result: Result<CollectedResponse, DurableStreamError>) {
        guard failure == nil, var batch = inFlight.removeValue(forKey: batchID) else { return }
        let error: DurableStreamError
        switch result {
        case .success(let response) where response.status == 200:
            acknowledge(batch, response: response, duplicate: false)
            return
        case .success(let response) where response.status == 204:
            if batch.closes || batch.mayHaveBeenApplied {
                acknowledge(batch, response: response, duplicate: !batch.closes)
                return
            }
            // A first attempt answered "duplicate": another instance already used this epoch and sequence.
            // Treating it as stored would silently lose the batch.
            let serverSeq = response.header(ProtocolHeader.producerSeq) ?? "?"
            error = DurableStreamError(
                .staleEpoch(currentEpoch: batch.epoch),
                "producer \(id) epoch \(batch.epoch) was already used on this stream (the server holds seq \(serverSeq)); "
                    + "a restarted producer must use a higher epoch",
                status: 204, headers: response.headers
            )
        case .success(let response):
            error = DurableStreamError.from(
                status: response.status, headers: response.headers, body: response.text, operation: "producer append"
            )
        case .failure(let failure):
            error = failure
        }

        if claimEpoch != nil {
            requeue(batch)
            finishClaimIfIdle()
            return
        }
        switch error.code {
        case .staleEpoch(let current):
            guard options.autoClaim else { return fail(error) }
            requeue(batch)
            beginClaim(max(current, batch.epoch) + 1)
        case .sequenceGap(let expected, _):
            // A later batch overtook an earlier one on the wire; resend it once its predecessors are stored.
            // The predecessors may also have been stored since the server answered; a second gap with
            // nothing earlier outstanding means the server lost them.
            let earlierPending =
                inFlight.values.contains { $0.seq < batch.seq } || queue.contains { $0.seq < batch.seq }
            if !earlierPending { batch.unexplainedGaps += 1 }
            guard expected < batch.seq, batch.unexplainedGaps <= 1 else { return fail(error) }
            batch.waitsForPredecessors = true
            statistics.reorderedBatches += 1
            requeue(batch)
            dispatch()
        default:
            guard error.isTransient else { return fail(error) }
            batch.failures += 1
            if error.code == .network || (error.code == .serverError && error.status != 503) {
                batch.mayHaveBeenApplied = true
            }
            let policy = options.retry ?? stream.configuration.retry
            guard policy.allowsRetry(afterFailures: batch.failures), let contentType else { return fail(error) }
            statistics.retries += 1
            inFlight[batch.id] = batch
            let delay = policy.delay(afterFailures: batch.failures, retryAfter: HTTPExchange.retryAfter(error.headers))
            send(batch, contentType: contentType, after: delay)
        }
    }

    private func acknowledge(_ batch: ProducerBatch, response: CollectedResponse, duplicate: Bool) {
        unacknowledged.remove(batch.id)
        bufferedBytes -= batch.byteCount
        epochConfirmed = true
        statistics.acknowledgedBatches += 1
        if duplicate { statistics.duplicateBatches += 1 }
        if batch.closes {
            closeResult = AppendResult(
                nextOffset: response.header(ProtocolHeader.streamNextOffset).map(Offset.init(rawValue:)),
                closed: StreamClosedFlag.isSet(response.header(ProtocolHeader.streamClosed)) || batch.closes
            )
        }
        let space = spaceWaiters
        spaceWaiters = []
        for waiter in space { waiter.resume() }
        resolveFlushWaiters()
        dispatch()
    }

    private func resolveFlushWaiters() {
        let lowest = unacknowledged.min() ?? Int.max
        var remaining: [FlushWaiter] = []
        for waiter in flushWaiters {
            if waiter.target < lowest { waiter.continuation.resume(returning: .success(())) } else { remaining.append(waiter) }
        }
        flushWaiters = remaining
    }

    /// Puts a batch back into the queue, keeping the queue in sequence order.
    private func requeue(_ batch: ProducerBatch) {
        let index = queue.firstIndex { $0.seq > batch.seq } ?? queue.endIndex
        queue.insert(batch, at: index)
    }

    // MARK: Auto-claim

    private func beginClaim(_ newEpoch: UInt64) {
        if claimEpoch == nil { statistics.claims += 1 }
        claimEpoch = max(claimEpoch ?? 0, newEpoch)
        finishClaimIfIdle()
    }

    /// Once no request of the old epoch is on the wire, renumbers everything unacknowledged into the new epoch.
    private func finishClaimIfIdle() {
        guard let newEpoch = claimEpoch, inFlight.isEmpty else { return }
        claimEpoch = nil
        epoch = newEpoch
        epochConfirmed = false
        queue.sort { $0.id < $1.id }
        for index in queue.indices {
            queue[index].epoch = newEpoch
            queue[index].seq = UInt64(index)
            queue[index].waitsForPredecessors = false
            queue[index].mayHaveBeenApplied = false
            queue[index].failures = 0
        }
        nextSeq = UInt64(queue.count)
        dispatch()
    }

    // MARK: Failure

    private func fail(_ error: DurableStreamError) {
        guard failure == nil else { return }
        failure = error
        open = nil
        queue.removeAll()
        let waiters = flushWaiters
        flushWaiters = []
        for waiter in waiters { waiter.continuation.resume(returning: .failure(error)) }
        let space = spaceWaiters
        spaceWaiters = []
        for waiter in space { waiter.resume() }
        options.onError?(error)
    }
}

extension DurableStream {
    /// An idempotent producer writing to this stream; see ``IdempotentProducer``.
    public func producer(id: String, epoch: UInt64 = 0, options: ProducerOptions = ProducerOptions()) -> IdempotentProducer {
        IdempotentProducer(stream: self, id: id, epoch: epoch, options: options)
    }
}
