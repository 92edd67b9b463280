import DSProtocol

extension MemoryStreamStore {
    /// Resolves a fork request against its source (PROTOCOL.md §4.2) with the shared ``ForkResolution``:
    /// content type, divergence point, expiry and the ancestry the fork will read through. Takes no reference
    /// yet; `install` does that last.
    func planFork(_ request: CreateStreamRequest, _ spec: ForkSpec) throws(StoreError) -> NewStreamPlan {
        let source: ForkSource<MemoryStream>
        let stream: MemoryStream
        do {
            (stream, source) = try withLiveStream(spec.sourcePath, now: request.now) { stream, state in
                let ranges = [InheritedRange].readable(ancestry: stream.ancestry, stream: stream, base: stream.base, tail: state.tail)
                return (stream, ForkSource(contentType: state.contentType, expiry: state.expiry, tail: state.tail, ranges: ranges))
            }
        } catch {
            if case .gone = error { throw .forkSourceGone(path: spec.sourcePath) }
            throw error
        }
        let plan = try ForkResolution.plan(request, spec: spec, source: source) { $0 }
        return NewStreamPlan(
            contentType: plan.contentType,
            expiry: plan.expiry,
            expiryInherited: plan.expiryInherited,
            base: plan.base,
            origin: ForkOrigin(source: stream, spec: plan.spec),
            ancestry: plan.ancestry
        )
    }
}

/// A memory stream's records, read under its lock. Bytes below any fork offset never change, so each
/// question may lock the stream on its own.
extension MemoryStream: ForkRecordIndex {
    func isRecordBoundary(_ position: UInt64) -> Bool {
        state.withLock { $0.isRecordBoundary(position) }
    }

    func recordEnd(containing position: UInt64, limit: UInt64) -> UInt64 {
        state.withLock { $0.recordEnd(containing: position, limit: limit) }
    }

    func position(after count: UInt64, recordsFrom position: UInt64, limit: UInt64) -> (end: UInt64, passed: UInt64) {
        state.withLock { $0.position(after: count, recordsFrom: position, limit: limit) }
    }
}
