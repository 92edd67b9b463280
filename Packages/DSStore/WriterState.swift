import DSProtocol

/// The writer-side state of one stream: the last `Stream-Seq` and the idempotent producer table.
///
/// Shared by every store so the state machine of PROTOCOL.md §5.2 and §5.2.1 is written once.
/// Callers hold the stream's lock around ``check(_:)`` and ``commit(_:)``, which gives the required
/// serialisation per (stream, producer).
public struct WriterState: Sendable, Hashable {
    /// Per-producer epoch and highest accepted sequence.
    public var producers: [String: ProducerState]
    /// The last accepted `Stream-Seq`, if any.
    public var lastSeq: String?

    /// Empty state, as for a new stream (and for every fork).
    public init(producers: [String: ProducerState] = [:], lastSeq: String? = nil) {
        self.producers = producers
        self.lastSeq = lastSeq
    }

    /// What an append may do, decided before anything is written.
    public enum Decision: Sendable, Hashable {
        /// Apply the append; then call ``commit(_:)`` with this plan.
        case accept(Plan)
        /// The producer already sent this request: answer with the ack, store nothing.
        case duplicate(ProducerAck)
    }

    /// The state changes an accepted append makes.
    public struct Plan: Sendable, Hashable {
        /// The producer whose state changes, if the request had a producer stamp.
        public var producerID: String?
        /// That producer's new state.
        public var producerState: ProducerState?
        /// The new `Stream-Seq`, if the request had one.
        public var seq: String?

        /// The ack to return once applied.
        public var ack: ProducerAck? { producerState.map { ProducerAck(epoch: $0.epoch, seq: $0.lastSeq) } }
    }

    /// Validates the producer stamp and `Stream-Seq` of an append against this state (no mutation).
    ///
    /// Producer deduplication runs first, so a retried request is answered as a duplicate rather than as a
    /// `Stream-Seq` regression.
    public func check(producer stamp: ProducerStamp?, seq: String?) throws(StoreError) -> Decision {
        var plan = Plan()
        if let stamp {
            if let state = producers[stamp.id] {
                if stamp.epoch < state.epoch { throw .staleProducerEpoch(current: state.epoch) }
                if stamp.epoch > state.epoch {
                    guard stamp.seq == 0 else { throw .invalidProducerEpochStart }
                } else if stamp.seq <= state.lastSeq {
                    return .duplicate(ProducerAck(epoch: state.epoch, seq: state.lastSeq))
                } else if stamp.seq != state.lastSeq + 1 {
                    throw .producerSequenceGap(expected: state.lastSeq + 1, received: stamp.seq)
                }
            } else if stamp.seq != 0 {
                throw .producerSequenceGap(expected: 0, received: stamp.seq)
            }
            plan.producerID = stamp.id
            plan.producerState = ProducerState(epoch: stamp.epoch, lastSeq: stamp.seq)
        }
        if let seq {
            if let last = lastSeq, !Self.isGreater(seq, than: last) {
                throw .sequenceRegression(last: last, received: seq)
            }
            plan.seq = seq
        }
        return .accept(plan)
    }

    /// Applies an accepted plan.
    public mutating func commit(_ plan: Plan) {
        if let id = plan.producerID, let state = plan.producerState { producers[id] = state }
        if let seq = plan.seq { lastSeq = seq }
    }

    /// Byte-wise lexicographic comparison, as `Stream-Seq` requires (no Unicode normalisation).
    static func isGreater(_ lhs: String, than rhs: String) -> Bool {
        rhs.utf8.lexicographicallyPrecedes(lhs.utf8)
    }
}

/// One producer's state on one stream.
public struct ProducerState: Sendable, Hashable, Codable {
    /// The producer's current epoch.
    public var epoch: UInt64
    /// The highest sequence accepted in that epoch.
    public var lastSeq: UInt64

    /// Creates the value.
    public init(epoch: UInt64, lastSeq: UInt64) {
        self.epoch = epoch
        self.lastSeq = lastSeq
    }
}
