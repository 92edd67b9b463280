import DSProtocol
import DSStore
import NIOCore

extension FileStreamStore {
    /// A fork request (PROTOCOL.md §4.2): resolved against its source with the shared ``ForkResolution`` on a
    /// reader thread (finding record boundaries may read the source's logs), then queued for the writer like
    /// any create. The writer answers an existing stream at the path first, and takes the reference on the
    /// source last, after checking it is still the live stream the fork was planned against.
    func createFork(_ request: CreateStreamRequest, spec: ForkSpec, on eventLoop: any EventLoop) -> EventLoopFuture<CreateStreamOutcome> {
        guard isOpen.load(ordering: .acquiring) else { return eventLoop.makeFailedFuture(StoreError.unavailable("the store is closed")) }
        let found = Result { () throws(StoreError) in try forkSource(spec, now: request.now) }
        let context = self.context
        return context.threads.runIfActive(eventLoop: eventLoop) { () -> Result<(PlannedFork, [ByteBuffer]), StoreError> in
            found.flatMap { source, snapshot in
                Result { () throws(StoreError) -> (PlannedFork, [ByteBuffer]) in
                    let plan: ForkPlan<FileStream>
                    do throws(StoreError) {
                        plan = try ForkResolution.plan(request, spec: spec, source: snapshot) { (stream) throws(StoreError) in
                            LogRecordIndex(stream === source.stream ? source : .committed(stream), context: context)
                        }
                    } catch {
                        // A source deleted while its log was being read answers as the writer would have.
                        switch source.stream.state.withLock({ $0.lifecycle }) {
                        case .live: throw error
                        case .softDeleted: throw .forkSourceGone(path: spec.sourcePath)
                        case .removed: throw .notFound(path: spec.sourcePath)
                        }
                    }
                    do throws(ProtocolError) {
                        let payloads = try self.framePayloads(request.body, json: plan.contentType.isJSON, allowEmptyArray: true)
                        return (PlannedFork(source: source.stream, plan: plan), payloads)
                    } catch {
                        throw .invalid(error)
                    }
                }
            }
        }.flatMap { planned in
            let promise = eventLoop.makePromise(of: CreateStreamOutcome.self)
            let payloads = (try? planned.get())?.1 ?? []
            let contentType = (try? planned.get())?.0.plan.contentType ?? .defaultType
            let operation = CreateOperation(request: request, contentType: contentType, payloads: payloads, fork: planned.map { $0.0 }, promise: promise)
            self.submit(.create(operation))
            return promise.futureResult
        }
    }

    /// The live source of a fork and what its readers see now.
    private func forkSource(_ spec: ForkSpec, now: StoreTimestamp) throws(StoreError) -> (LogSegment, ForkSource<FileStream>) {
        let source: FileStream
        do {
            source = try liveStream(spec.sourcePath, now: now)
        } catch {
            if case .gone = error { throw .forkSourceGone(path: spec.sourcePath) }
            throw error
        }
        let (record, log) = source.state.withLock { ($0.record, $0.record.log) }
        let ranges = [InheritedRange].readable(ancestry: source.ancestry, stream: source, base: log.base, tail: log.streamEnd)
        let snapshot = ForkSource(contentType: record.contentType, expiry: record.expiry, tail: log.streamEnd, ranges: ranges)
        return (LogSegment(stream: source, log: log), snapshot)
    }
}
