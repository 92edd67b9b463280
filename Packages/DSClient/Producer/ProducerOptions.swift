/// How an ``IdempotentProducer`` batches, pipelines and recovers.
public struct ProducerOptions: Sendable {
    /// A batch is sent as soon as it holds this many bytes.
    public var maxBatchBytes: Int
    /// How long the first append of a batch waits for more before the batch is sent anyway.
    public var linger: Duration
    /// How many batches may be on the wire at once, each on its own request.
    public var maxInFlight: Int
    /// Appends wait once this many bytes are queued or in flight, so a fast writer cannot exhaust memory.
    public var maxBufferedBytes: Int
    /// When the server reports a newer epoch (`403`) or already holds this epoch's first batch, claim the
    /// producer id by moving to the next epoch and resending what was not acknowledged. For ephemeral
    /// producers that cannot persist their epoch; a batch whose fate was unknown when the claim happened
    /// may then be stored twice.
    public var autoClaim: Bool
    /// How failed batches are retried; `nil` uses the stream configuration's policy. When a batch gives up,
    /// the producer fails (later batches could never be accepted without it).
    public var retry: RetryPolicy?
    /// Called once when the producer fails, with the error that ``IdempotentProducer/flush()`` also throws.
    public var onError: (@Sendable (DurableStreamError) -> Void)?

    /// Creates options: 1 MiB batches, 5 ms linger, 5 batches in flight, 64 MiB of buffering.
    public init(
        maxBatchBytes: Int = 1024 * 1024,
        linger: Duration = .milliseconds(5),
        maxInFlight: Int = 5,
        maxBufferedBytes: Int = 64 * 1024 * 1024,
        autoClaim: Bool = false,
        retry: RetryPolicy? = nil,
        onError: (@Sendable (DurableStreamError) -> Void)? = nil
    ) {
        self.maxBatchBytes = maxBatchBytes
        self.linger = linger
        self.maxInFlight = maxInFlight
        self.maxBufferedBytes = maxBufferedBytes
        self.autoClaim = autoClaim
        self.retry = retry
        self.onError = onError
    }
}

/// Counters of what a producer did, for monitoring and tests.
public struct ProducerStatistics: Sendable, Hashable {
    /// Batches the server stored (`200`, or `204` for a close).
    public var acknowledgedBatches = 0
    /// Retried batches the server recognised as already stored (`204`): the retries that did not duplicate.
    public var duplicateBatches = 0
    /// Requests sent again after a network failure, `429` or `5xx`.
    public var retries = 0
    /// Batches resent because a later batch overtook an earlier one on the wire (sequence gap).
    public var reorderedBatches = 0
    /// Epoch changes made by auto-claim.
    public var claims = 0
    /// The most requests that were on the wire at the same time.
    public var peakInFlight = 0
}
