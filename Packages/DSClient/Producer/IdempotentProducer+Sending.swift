import DSProtocol
import NIOCore

/// Sending batches and acting on the answers: ordering rules, retries, gaps, auto-claim, failure.
extension IdempotentProducer {
    // MARK: Sending

    /// Sends queued batches while the pipeline has room and ordering rules allow.
    func dispatch() {
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

    func send(_ batch: ProducerBatch, contentType: String, after delay: Duration?) {
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

    func resolveContentType() {
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

    func contentTypeResolved(_ result: Result<String, DurableStreamError>) {
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

    func complete(_ batchID: Int, _ result: Result<CollectedResponse, DurableStreamError>) {
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

    func acknowledge(_ batch: ProducerBatch, response: CollectedResponse, duplicate: Bool) {
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

    func resolveFlushWaiters() {
        let lowest = unacknowledged.min() ?? Int.max
        var remaining: [FlushWaiter] = []
        for waiter in flushWaiters {
            if waiter.target < lowest { waiter.continuation.resume(returning: .success(())) } else { remaining.append(waiter) }
        }
        flushWaiters = remaining
    }

    /// Puts a batch back into the queue, keeping the queue in sequence order.
    func requeue(_ batch: ProducerBatch) {
        let index = queue.firstIndex { $0.seq > batch.seq } ?? queue.endIndex
        queue.insert(batch, at: index)
    }

    // MARK: Auto-claim

    func beginClaim(_ newEpoch: UInt64) {
        if claimEpoch == nil { statistics.claims += 1 }
        claimEpoch = max(claimEpoch ?? 0, newEpoch)
        finishClaimIfIdle()
    }

    /// Once no request of the old epoch is on the wire, renumbers everything unacknowledged into the new epoch.
    func finishClaimIfIdle() {
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

    func fail(_ error: DurableStreamError) {
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
