import DSProtocol

/// The record boundaries of one stream's own data, as the fork rules need them. Positions are absolute
/// (in the shared offset space of a fork chain) and lie within the stream's own data.
///
/// A record is one message for JSON streams and one append for other streams.
package protocol ForkRecordIndex {
    /// Whether a record starts at `position` (the stream's base, or the end of a record).
    func isRecordBoundary(_ position: UInt64) throws(StoreError) -> Bool
    /// The end of the record containing `position` (the next data boundary), at most `limit`.
    func recordEnd(containing position: UInt64, limit: UInt64) throws(StoreError) -> UInt64
    /// The position after `count` more records from the record boundary `position`, stopping at `limit`;
    /// returns it and how many records were passed.
    func position(after count: UInt64, recordsFrom position: UInt64, limit: UInt64) throws(StoreError) -> (end: UInt64, passed: UInt64)
}

/// A fork's source as the request found it.
package struct ForkSource<Stream: Sendable>: Sendable {
    package var contentType: StreamContentType
    package var expiry: StreamExpiry
    /// The source's tail.
    package var tail: UInt64
    /// What a reader of the source sees up to ``tail``: its ancestry, then its own bytes.
    package var ranges: [InheritedRange<Stream>]

    package init(contentType: StreamContentType, expiry: StreamExpiry, tail: UInt64, ranges: [InheritedRange<Stream>]) {
        self.contentType = contentType
        self.expiry = expiry
        self.tail = tail
        self.ranges = ranges
    }
}

/// What a fork request resolves to: everything the new stream needs except the reference on its source,
/// which the store takes last, once nothing can fail any more.
package struct ForkPlan<Stream: Sendable>: Sendable {
    package var contentType: StreamContentType
    package var expiry: StreamExpiry
    /// The expiry came from the source because the request named none.
    package var expiryInherited: Bool
    /// The fork offset: where the fork's own data starts.
    package var base: UInt64
    /// The ancestors' data the fork shows below ``base``.
    package var ancestry: [InheritedRange<Stream>]
    /// The request's fork configuration with the anchor resolved (what ``StreamInfo/fork`` reports).
    package var spec: ForkSpec
}

/// The rules of PROTOCOL.md §4.2 that turn a fork request and its source into a ``ForkPlan``, shared by
/// every store; `Docs/forks.md` explains them. Stores differ only in how they find record boundaries.
package enum ForkResolution {
    /// Checks the request against the source (content type, offset, sub-offset) and resolves the divergence
    /// point, the ancestry and the expiry. `index` gives access to the records of one range's stream.
    package static func plan<Stream, Index: ForkRecordIndex>(
        _ request: CreateStreamRequest,
        spec: ForkSpec,
        source: ForkSource<Stream>,
        index: (Stream) throws(StoreError) -> Index
    ) throws(StoreError) -> ForkPlan<Stream> {
        if let requested = request.contentType, !requested.matches(source.contentType) {
            throw .contentTypeMismatch(expected: source.contentType, received: requested)
        }
        var anchor = source.tail
        if let offset = spec.offset {
            guard offset.segment == 0, offset.position <= source.tail else {
                throw .invalid(.invalidFork("Stream-Fork-Offset is beyond the source stream's tail"))
            }
            anchor = offset.position
        }
        let base = try divergence(
            anchor: anchor,
            subOffset: spec.subOffset,
            in: source.ranges,
            isJSON: source.contentType.isJSON,
            index: index
        )
        // An expiry in the request wins; otherwise the fork takes the source's rule (a TTL value it then
        // slides on its own, or the same absolute deadline).
        let inherits = request.expiry == .none && source.expiry != .none
        return ForkPlan(
            contentType: source.contentType,
            expiry: inherits ? source.expiry : request.expiry,
            expiryInherited: inherits,
            base: base,
            ancestry: source.ranges.cut(at: base),
            spec: ForkSpec(sourcePath: spec.sourcePath, offset: StreamOffset(position: anchor), subOffset: spec.subOffset)
        )
    }

    /// The fork offset for an anchor and sub-offset: `subOffset` bytes past the anchor, which must stay within
    /// the record (append) containing it; for JSON streams, `subOffset` whole messages past the anchor, which
    /// must be a message boundary.
    static func divergence<Stream, Index: ForkRecordIndex>(
        anchor: UInt64,
        subOffset: UInt64,
        in ranges: [InheritedRange<Stream>],
        isJSON: Bool,
        index: (Stream) throws(StoreError) -> Index
    ) throws(StoreError) -> UInt64 {
        var rangeIndex = ranges.firstIndex { $0.end > anchor }
        if isJSON {
            if let rangeIndex {
                let range = ranges[rangeIndex]
                // Written out: `||` takes an autoclosure that would erase the typed error.
                var aligned = anchor == range.start
                if !aligned { aligned = try index(range.stream).isRecordBoundary(anchor) }
                guard aligned else { throw .invalid(.invalidFork("Stream-Fork-Offset is not on a message boundary")) }
            }
            var position = anchor
            var remaining = subOffset
            while remaining > 0 {
                guard let current = rangeIndex, current < ranges.count else { throw overshoot }
                let range = ranges[current]
                let step = try index(range.stream).position(after: remaining, recordsFrom: position, limit: range.end)
                remaining -= step.passed
                position = step.end
                rangeIndex = current + 1
            }
            return position
        }
        guard subOffset > 0 else { return anchor }
        guard let rangeIndex else { throw overshoot }
        let range = ranges[rangeIndex]
        let boundary = try index(range.stream).recordEnd(containing: anchor, limit: range.end)
        guard subOffset <= boundary - anchor else { throw overshoot }
        return anchor + subOffset
    }

    private static var overshoot: StoreError {
        .invalid(.invalidFork("Stream-Fork-Sub-Offset names a position past the next data boundary"))
    }
}

extension StoreError {
    /// The answer to a create at the path of a soft-deleted stream (PROTOCOL.md §4.2): `409` until its last
    /// fork is gone.
    package static var pathBlockedBySoftDeletedStream: StoreError {
        .configurationMismatch(reason: "a deleted stream at this path is still read by its forks; the path cannot be re-created yet")
    }
}
