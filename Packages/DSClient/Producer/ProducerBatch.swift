import NIOCore

/// One request's worth of appends, numbered within the producer's epoch.
struct ProducerBatch {
    /// Creation order; stable across renumbering by an auto-claim.
    let id: Int
    /// The messages (JSON streams) or byte pieces in this batch.
    var parts: [ByteBuffer]
    /// A body built once the stream's content type is known, or given whole (a final close body).
    var body: ByteBuffer?
    var byteCount: Int
    /// The epoch and sequence the batch is sent with.
    var epoch: UInt64 = 0
    var seq: UInt64 = 0
    /// Whether this request closes the stream.
    var closes = false
    /// Consecutive transient failures of this batch.
    var failures = 0
    /// Whether an earlier attempt may have reached the server (so a `204` is an honest duplicate).
    var mayHaveBeenApplied = false
    /// Whether the batch must wait for every earlier sequence to be acknowledged before being resent.
    var waitsForPredecessors = false
    /// Sequence gaps reported while no earlier batch was outstanding.
    var unexplainedGaps = 0

    /// The request body: JSON messages as one array, bytes concatenated.
    mutating func buildBody(json: Bool) -> ByteBuffer {
        if let body { return body }
        var built = ByteBuffer()
        built.reserveCapacity(byteCount + parts.count + 2)
        if json { built.writeString("[") }
        for (index, part) in parts.enumerated() {
            if json && index > 0 { built.writeString(",") }
            built.writeImmutableBuffer(part)
        }
        if json { built.writeString("]") }
        body = built
        parts = []
        return built
    }
}
