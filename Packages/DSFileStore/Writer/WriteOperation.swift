import DSProtocol
import DSStore
import NIOCore

/// A change queued for the writer thread. Bodies arrive already validated and cut into frame payloads.
enum WriteOperation: Sendable {
    case create(CreateOperation)
    case append(AppendOperation)
    case delete(DeleteOperation)
    /// A stream already marked expired (on access or in a sweep): remove it durably, or soft-delete it while
    /// forks use its data.
    case reap(FileStream)
    /// Persist the sliding-TTL access times moved by reads.
    case flushAccessTimes

    /// Payload bytes, for bounding the size of one group commit.
    var byteCount: Int {
        switch self {
        case .create(let operation): return operation.payloads.reduce(0) { $0 + $1.readableBytes }
        case .append(let operation): return operation.request.body.readableBytes
        case .delete, .reap, .flushAccessTimes: return 0
        }
    }

    /// Answers the operation's caller with `error` (the writer is stopped, or the group commit failed).
    func fail(_ error: StoreError) {
        switch self {
        case .create(let operation): operation.promise.fail(error)
        case .append(let operation): operation.promise.fail(error)
        case .delete(let operation): operation.promise.fail(error)
        case .reap, .flushAccessTimes: break
        }
    }
}

struct CreateOperation: Sendable {
    var request: CreateStreamRequest
    var contentType: StreamContentType
    var payloads: [ByteBuffer]
    /// For a fork request: the fork resolved against its source on a reader thread, or why it cannot be made
    /// (answered only when no stream exists at the path, as PROTOCOL.md §5.1 wants).
    var fork: Result<PlannedFork, StoreError>?
    var promise: EventLoopPromise<CreateStreamOutcome>
}

/// A fork request resolved against the source it found; the writer attaches it if the source is still live.
struct PlannedFork: Sendable {
    let source: FileStream
    let plan: ForkPlan<FileStream>
}

struct AppendOperation: Sendable {
    var request: AppendRequest
    var hasBody: Bool
    /// The frame payloads, or why the body is invalid (reported in protocol precedence order by the writer).
    var payloads: Result<[ByteBuffer], ProtocolError>
    var promise: EventLoopPromise<AppendOutcome>
}

struct DeleteOperation: Sendable {
    var path: String
    var now: StoreTimestamp
    var promise: EventLoopPromise<DeleteOutcome>
}
