import DSProtocol

/// The checks of PROTOCOL.md §5.2 that decide an append against a stream's state, in the protocol's
/// precedence order: closure, content type, then idempotent producer and `Stream-Seq` (``WriterState``).
/// Shared by every store; the caller holds the stream's state stable (its lock, or its writer thread)
/// between this decision and applying it.
package enum AppendRules {
    /// What the append does.
    package enum Decision: Sendable {
        /// Nothing is stored; answer with this outcome.
        case duplicate(AppendOutcome)
        /// Store the body (if any), then commit this plan to the writer state.
        case accept(WriterState.Plan)
    }

    /// Decides `request` against a stream with the given state, or throws the error to answer with.
    package static func decide(
        _ request: AppendRequest,
        hasBody: Bool,
        contentType streamContentType: StreamContentType,
        closed: Bool,
        closedBy: ProducerStamp?,
        tail: StreamOffset,
        writer: WriterState
    ) throws(StoreError) -> Decision {
        if closed {
            if !hasBody && request.close {
                return .duplicate(AppendOutcome(kind: .duplicate, tail: tail, closed: true))
            }
            if let stamp = request.producer, stamp == closedBy {
                let ack = ProducerAck(epoch: stamp.epoch, seq: stamp.seq)
                return .duplicate(AppendOutcome(kind: .duplicate, tail: tail, closed: true, producerAck: ack))
            }
            throw .streamClosed(tail: tail)
        }
        if hasBody {
            guard let contentType = request.contentType else {
                throw .invalid(.badRequest("Content-Type is required when appending data"))
            }
            guard contentType.matches(streamContentType) else {
                throw .contentTypeMismatch(expected: streamContentType, received: contentType)
            }
        }
        switch try writer.check(producer: request.producer, seq: request.seq) {
        case .duplicate(let ack):
            return .duplicate(AppendOutcome(kind: .duplicate, tail: tail, closed: closed, producerAck: ack))
        case .accept(let plan):
            return .accept(plan)
        }
    }
}
