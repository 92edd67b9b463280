import DSProtocol

extension MemoryStreamStore {
    /// Resolves a fork request against its source (PROTOCOL.md §4.2): content type, divergence point,
    /// expiry and the ancestry the fork will read through. Takes no reference yet; `install` does that last.
    func planFork(_ request: CreateStreamRequest, _ spec: ForkSpec) throws(StoreError) -> NewStreamPlan {
        let snapshot: (source: MemoryStream, contentType: StreamContentType, expiry: StreamExpiry, tail: UInt64)
        do {
            snapshot = try withLiveStream(spec.sourcePath, now: request.now) { stream, state in
                (stream, state.contentType, state.expiry, state.tail)
            }
        } catch {
            if case .gone = error { throw .forkSourceGone(path: spec.sourcePath) }
            throw error
        }
        let source = snapshot.source
        if let requested = request.contentType, !requested.matches(snapshot.contentType) {
            throw .contentTypeMismatch(expected: snapshot.contentType, received: requested)
        }
        var anchor = snapshot.tail
        if let offset = spec.offset {
            guard offset.segment == 0, offset.position <= snapshot.tail else {
                throw .invalid(.invalidFork("Stream-Fork-Offset is beyond the source stream's tail"))
            }
            anchor = offset.position
        }
        // The source as a reader sees it at this moment: its ancestors' ranges, then its own bytes.
        var ranges = source.ancestry
        if snapshot.tail > source.base {
            ranges.append(InheritedRange(stream: source, start: source.base, end: snapshot.tail))
        }
        let forkOffset = try Self.divergence(
            anchor: anchor,
            subOffset: spec.subOffset,
            in: ranges,
            isJSON: snapshot.contentType.isJSON
        )
        var ancestry: [InheritedRange] = []
        for range in ranges where range.start < forkOffset {
            ancestry.append(InheritedRange(stream: range.stream, start: range.start, end: min(range.end, forkOffset)))
        }
        // §4.2: an expiry in the request wins; otherwise the fork takes the source's rule (a TTL value it then
        // slides on its own, or the same absolute deadline).
        let inherits = request.expiry == .none && snapshot.expiry != .none
        return NewStreamPlan(
            contentType: snapshot.contentType,
            expiry: inherits ? snapshot.expiry : request.expiry,
            expiryInherited: inherits,
            base: forkOffset,
            origin: ForkOrigin(
                source: source,
                spec: ForkSpec(sourcePath: spec.sourcePath, offset: StreamOffset(position: anchor), subOffset: spec.subOffset)
            ),
            ancestry: ancestry
        )
    }

    /// The fork offset for an anchor and sub-offset: `subOffset` bytes past the anchor, which must stay within
    /// the record (append) containing it; for JSON streams, `subOffset` whole messages past the anchor, which
    /// must be a message boundary.
    static func divergence(anchor: UInt64, subOffset: UInt64, in ranges: [InheritedRange], isJSON: Bool) throws(StoreError) -> UInt64 {
        var index = ranges.firstIndex { $0.end > anchor }
        if isJSON {
            if let index {
                let range = ranges[index]
                let aligned = anchor == range.start || range.stream.state.withLock { $0.isRecordBoundary(anchor) }
                guard aligned else { throw .invalid(.invalidFork("Stream-Fork-Offset is not on a message boundary")) }
            }
            var position = anchor
            var remaining = subOffset
            while remaining > 0 {
                guard let current = index, current < ranges.count else { throw overshoot }
                let range = ranges[current]
                let step = range.stream.state.withLock { $0.position(after: remaining, recordsFrom: position, limit: range.end) }
                remaining -= step.passed
                position = step.end
                index = current + 1
            }
            return position
        }
        guard subOffset > 0 else { return anchor }
        guard let index else { throw overshoot }
        let range = ranges[index]
        let boundary = range.stream.state.withLock { $0.recordEnd(containing: anchor, limit: range.end) }
        guard subOffset <= boundary - anchor else { throw overshoot }
        return anchor + subOffset
    }

    private static var overshoot: StoreError {
        .invalid(.invalidFork("Stream-Fork-Sub-Offset names a position past the next data boundary"))
    }
}
