/// The `(Producer-Id, Producer-Epoch, Producer-Seq)` triple of an idempotent producer's request.
public struct ProducerStamp: Sendable, Hashable {
    /// Client-chosen stable producer identity; never empty.
    public var id: String
    /// Client-declared session number, bumped on restart.
    public var epoch: UInt64
    /// Per-request (per-batch) sequence number within the epoch.
    public var seq: UInt64

    /// The largest epoch or sequence the protocol allows (2^53 − 1, for JavaScript interoperability).
    public static let maxValue: Int64 = 9_007_199_254_740_991

    /// Creates a stamp.
    public init(id: String, epoch: UInt64, seq: UInt64) {
        self.id = id
        self.epoch = epoch
        self.seq = seq
    }

    /// Parses the three producer headers of a request.
    ///
    /// - Returns: `nil` when none of the three is present.
    /// - Throws: ``ProtocolError`` when only some are present, the id is empty, or a number is malformed.
    public static func parse(id: String?, epoch: String?, seq: String?) throws(ProtocolError) -> ProducerStamp? {
        if id == nil && epoch == nil && seq == nil { return nil }
        guard let id, let epoch, let seq else {
            throw .invalidProducerHeaders("Producer-Id, Producer-Epoch and Producer-Seq must be sent together")
        }
        guard !id.isEmpty else { throw .invalidProducerHeaders("Producer-Id must not be empty") }
        guard let epochValue = StrictInteger.parseNonNegative(epoch, max: maxValue) else {
            throw .invalidProducerHeaders("Producer-Epoch must be an integer between 0 and 2^53-1")
        }
        guard let seqValue = StrictInteger.parseNonNegative(seq, max: maxValue) else {
            throw .invalidProducerHeaders("Producer-Seq must be an integer between 0 and 2^53-1")
        }
        return ProducerStamp(id: id, epoch: UInt64(epochValue), seq: UInt64(seqValue))
    }
}
