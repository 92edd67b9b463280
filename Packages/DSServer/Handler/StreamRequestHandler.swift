import DSCursor
import DSProtocol
import DSStore
import Logging
import NIOCore
import NIOHTTP1

/// The Durable Streams protocol over any transport: validates a ``StreamRequest`` into store calls and maps
/// the results (and every error) to a ``StreamResponse``.
///
/// It holds no per-connection state, so one instance serves every connection; the NIO channel handler
/// only moves bytes. Mount it inside another Swift server by building ``StreamRequest``s yourself.
public final class StreamRequestHandler: Sendable {
    let options: ServerOptions
    let store: any StreamStore
    let lifecycle: LifecycleDispatcher
    let liveRequests: LiveRequestTracker
    let gzip: GzipEncoder?
    let sseEvents = SSEEventCache()
    /// Long-poll timeouts, one queue per event loop.
    let longPollTimeouts: LongPollTimeouts
    /// Metrics, request log, limits and drain state (Operations/).
    let operations: ServerOperations

    /// Creates a handler for `options` (its store, limits, cursor and caching settings).
    public convenience init(options: ServerOptions) {
        self.init(options: options, lifecycle: LifecycleDispatcher(hooks: options.hooks, logger: options.logger))
    }

    init(options: ServerOptions, lifecycle: LifecycleDispatcher) {
        self.options = options
        self.store = options.store
        self.lifecycle = lifecycle
        self.liveRequests = LiveRequestTracker()
        self.longPollTimeouts = LongPollTimeouts(timeout: options.longPollTimeout)
        self.gzip = options.compression.map { GzipEncoder(level: $0.level) }
        self.operations = ServerOperations(serverOptions: options)
    }

    /// Answers one request. The future completes on `context.eventLoop`; the request is handled there too
    /// (called from elsewhere, it hops onto that loop first).
    public func handle(_ request: StreamRequest, context: RequestContext) -> EventLoopFuture<StreamResponse> {
        guard context.eventLoop.inEventLoop else {
            return context.eventLoop.flatSubmit { self.handle(request, context: context) }
        }
        let answer = respond(request, context: context)
        switch answer {
        case .now(let response): return context.eventLoop.makeSucceededFuture(response)
        case .later(let future): return answeringErrors(future)
        case .waiting:
            let promise = context.eventLoop.makePromise(of: StreamResponse.self)
            answer.complete(promise)
            return promise.futureResult
        }
    }

    /// A response ready at once, or one that completes later. A later answer may fail with a store or protocol
    /// error: its two consumers, ``handle(_:context:)`` and the transport, turn that into the error response.
    enum Answer {
        case now(StreamResponse)
        case later(EventLoopFuture<StreamResponse>)
        /// A long-poll waiting at the tail: it hands its answer to one consumer, with no future in between.
        case waiting(LongPollWait)

        /// Completes `promise` with this answer, now or when it is ready.
        func complete(_ promise: EventLoopPromise<StreamResponse>) {
            switch self {
            case .now(let response): promise.succeed(response)
            case .later(let future): future.cascade(to: promise)
            case .waiting(let wait): wait.whenAnswered { promise.succeed($0) }
            }
        }
    }

    /// Reads through the store's immediate path when it has one (no future), else through a future;
    /// `respond` turns the outcome (or a store error, as its error response) into the answer.
    func answerRead(
        _ request: ReadRequest,
        context: RequestContext,
        _ respond: @escaping @Sendable (ReadOutcome) -> Answer
    ) -> Answer {
        if let result = store.readImmediately(request) {
            switch result {
            case .success(let outcome): return respond(outcome)
            case .failure(let error): return .now(errorResponse(for: error))
            }
        }
        return answerReadLater(request, context: context, respond)
    }

    /// Reads through the store's future, for a read its immediate path did not answer; `respond` as in
    /// ``answerRead(_:context:_:)``.
    func answerReadLater(
        _ request: ReadRequest,
        context: RequestContext,
        _ respond: @escaping @Sendable (ReadOutcome) -> Answer
    ) -> Answer {
        let answer = context.eventLoop.makePromise(of: StreamResponse.self)
        store.read(request, on: context.eventLoop).whenComplete { result in
            switch result {
            case .success(let outcome): respond(outcome).complete(answer)
            case .failure(let error): answer.succeed(self.errorResponse(for: error))
            }
        }
        return .later(answer.futureResult)
    }

    /// Answers one request on `context.eventLoop`; a response that needs no waiting (errors, preflight, an append to a store that
    /// finishes at once) comes back as ``Answer/now(_:)``, so the transport can write it without a future.
    func respond(_ request: StreamRequest, context: RequestContext) -> Answer {
        guard !request.streamPath.isEmpty else {
            return .now(errorResponse(.badRequest, "a stream path is required below the stream root"))
        }
        if let refusal = admit(request, context: context) {  // authoriser and per-client limits (+Admission)
            return .now(refusal)
        }
        switch request.method {
        case .PUT: return .later(create(request, context: context))
        case .POST: return append(request, context: context)
        case .GET: return read(request, context: context)
        case .HEAD: return .later(head(request, context: context))
        case .DELETE: return .later(delete(request, context: context))
        case .OPTIONS: return .now(preflight())
        default:
            var response = errorResponse(.methodNotAllowed, "method \(request.method.rawValue) is not supported on streams")
            response.headers.add(name: "Allow", value: Self.allowedMethods)
            return .now(response)
        }
    }

    static let allowedMethods = "GET, HEAD, PUT, POST, DELETE, OPTIONS"

    /// Reports a lifecycle event to the hooks without waiting for them.
    func emit(_ kind: StreamLifecycleEvent.Kind, path: String, contentType: StreamContentType, at timestamp: StoreTimestamp) {
        operations.metrics.streamEvent(kind)
        let controlAPI = options.controlAPI
        guard !lifecycle.isEmpty || controlAPI != nil else { return }
        let event = StreamLifecycleEvent(kind: kind, path: path, contentType: contentType, timestamp: timestamp)
        lifecycle.dispatch(event)
        controlAPI?.streamLifecycleEvent(event)
    }

    /// Ends every waiting long-poll and SSE session (graceful shutdown).
    func endLiveRequests() {
        liveRequests.endAll()
    }
}
