import DSProtocol
import DSStore
import NIOCore

extension FileStreamStore {
    public func read(_ request: ReadRequest, on eventLoop: any EventLoop) -> EventLoopFuture<ReadOutcome> {
        let plan: ReadPlan
        do throws(StoreError) {
            switch try snapshot(request) {
            case .plan(let readPlan): plan = readPlan
            case .immediate(let atTail): return eventLoop.makeSucceededFuture(atTail)
            case .recent(let readPlan, let recent): return eventLoop.makeCompletedFuture(readRecent(readPlan, recent).mapError { $0 })
            }
        } catch {
            return eventLoop.makeFailedFuture(error)
        }
        guard isOpen.load(ordering: .acquiring) else { return eventLoop.makeFailedFuture(StoreError.unavailable("the store is closed")) }
        let context = self.context
        return context.threads.runIfActive(eventLoop: eventLoop) { () throws -> ReadOutcome in
            do throws(FileStoreFailure) {
                return try LogReader.read(plan, context: context)
            } catch {
                if plan.stream.state.withLock({ $0.lifecycle == .removed }) { throw StoreError.notFound(path: plan.info.path) }
                context.logger.error("read failed", metadata: ["stream": "\(plan.info.path)", "error": "\(error)"])
                throw error.storeError
            }
        }
    }

    /// Answers at once the reads that need no file: at the tail, and from the frames kept for waiting readers
    /// (which is what live readers mostly read); `nil` for a read of the log, which ``read(_:on:)`` makes on a
    /// reader thread.
    public func readImmediately(_ request: ReadRequest) -> Result<ReadOutcome, StoreError>? {
        do throws(StoreError) {
            switch try snapshot(request) {
            case .plan: return nil
            case .immediate(let atTail): return .success(atTail)
            case .recent(let readPlan, let recent): return readRecent(readPlan, recent)
            }
        } catch {
            return .failure(error)
        }
    }

    /// Decides a read under the stream's lock (sliding its TTL): answered at the tail, from kept frames, or
    /// planned for a reader thread.
    private func snapshot(_ request: ReadRequest) throws(StoreError) -> ReadSnapshot {
        let stream = try liveStream(request.path, now: request.now)
        return try stream.state.withLock { (state) throws(StoreError) -> ReadSnapshot in
            touch(stream, &state, now: request.now)
            let record = state.record
            let tail = record.log.streamEnd
            let start = try request.start.position(tail: tail)
            let info = record.info()
            if start == tail {
                return .immediate(ReadOutcome(info: info, start: record.tail, next: record.tail, chunks: []))
            }
            let plan = ReadPlan(stream: stream, info: info, start: start, log: record.log, isJSON: record.contentType.isJSON, maxBytes: request.maxBytes)
            if let recent = state.recentFrames, recent.covers(start) {
                state.recentFrames?.wasRead = true
                return .recent(plan, recent)
            }
            return .plan(plan)
        }
    }

    public func list(now: StoreTimestamp, on eventLoop: any EventLoop) -> EventLoopFuture<[StreamInfo]> {
        let infos = context.table.all().compactMap { stream in
            stream.state.withLock { state -> StreamInfo? in
                guard state.isLive, !state.record.isExpired(at: now) else { return nil }
                return state.record.info()
            }
        }
        return eventLoop.makeSucceededFuture(infos)
    }

    public func metadata(path: String, now: StoreTimestamp, on eventLoop: any EventLoop) -> EventLoopFuture<StreamInfo> {
        eventLoop.makeCompletedFuture(Result { () throws(StoreError) in
            let stream = try liveStream(path, now: now)
            return stream.state.withLock { $0.record.info() }
        })
    }

    public func waitForChange(path: String, after offset: StreamOffset, promise: EventLoopPromise<StreamChange>) -> StreamWait {
        waitForChange(path: path, after: offset, waiter: PromiseWaiter(promise))
    }

    public func waitForChange(path: String, after offset: StreamOffset, waiter: any StreamWaiter) -> StreamWait {
        guard let stream = context.table.lookup(path) else {
            waiter.streamChanged(.deleted)
            return StreamWait(cancel: nil)
        }
        let registration = stream.state.withLock { state in
            state.waiters.register(waiter, after: offset, tail: state.record.log.streamEnd, closed: state.record.closed, removed: !state.isLive)
        }
        let budget = context.recentFrames
        return registration.wait(notifying: waiter) { [stream] id in
            stream.state.withLock { state in
                // The last reader leaving: nobody is left to read the frames kept for woken readers.
                guard state.waiters.remove(id) != nil, state.waiters.count == 0 else { return }
                state.dropRecentFrames(budget: budget)
            }
        }
    }

    /// Answers a read from frames kept in memory, on the calling thread.
    private func readRecent(_ plan: ReadPlan, _ recent: RecentFrames) -> Result<ReadOutcome, StoreError> {
        do throws(FileStoreFailure) {
            let outcome = try LogReader.read(plan, from: recent)
            context.statistics.recordReadFromMemory()
            return .success(outcome)
        } catch {
            context.logger.error("read failed", metadata: ["stream": "\(plan.info.path)", "error": "\(error)"])
            return .failure(error.storeError)
        }
    }

    /// Slides a TTL on a read and remembers to persist it (lazily, with the next sweep or commit).
    private func touch(_ stream: FileStream, _ state: inout FileStream.State, now: StoreTimestamp) {
        guard state.record.touch(now), !state.accessDirty else { return }
        state.accessDirty = true
        context.touched.withLock { $0[ObjectIdentifier(stream)] = stream }
    }
}

/// A read decided under the stream's lock: answered at once (at the tail), from the frames kept in memory, or
/// planned for a reader thread.
private enum ReadSnapshot {
    case plan(ReadPlan)
    case immediate(ReadOutcome)
    case recent(ReadPlan, RecentFrames)
}
