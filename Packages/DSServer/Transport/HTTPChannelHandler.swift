import DSProtocol
import NIOCore
import NIOHTTP1

/// Moves bytes between one HTTP/1.1 connection and the ``StreamRequestHandler``: collects a request within
/// the configured limits, routes it, writes the response, and reports hang-ups so waiters are released at once.
///
/// It parses the socket's bytes itself (``HTTPRequestParser``) and writes responses as bytes (``ResponseHeadWriter``):
/// no NIO decoder, pipelining handler or response encoder between it and the socket. Pipelined requests (a request
/// arriving while the previous one is still being answered) wait in order in ``pipelined`` and are taken up as soon
/// as the response before them is written; while any wait, the handler reads no more from the socket.
///
/// One exception: while the requests being answered are all appends, a whole append waiting behind them is
/// handed to the store at once (up to ``ServerLimits/maxPipelinedAppends`` in flight), so a durable store
/// commits them together; their answers wait in ``ahead`` until every answer before them was written.
final class HTTPChannelHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let handler: StreamRequestHandler
    private let router: StreamPathRouter
    private let limits: ServerLimits
    private let scheme: String
    private let headWriter: ResponseHeadWriter

    private enum State {
        case idle
        /// Collecting a request's body.
        case receiving(HTTPRequestHead, body: ByteBuffer?)
        /// The request was refused while it was still arriving; its remaining parts are dropped.
        case discarding
        /// The response is being produced or written.
        case responding(RequestLifetime)
        case closed
    }

    private var state = State.idle
    private var parser: HTTPRequestParser
    private var sseWriter: ChannelSSEWriter?
    /// The current request's log and metrics record (Operations/RequestObservation).
    private var observation: RequestObservation?
    /// The number of the request being answered, and of the next one dispatched: a late answer finds its request.
    private var currentSequence: UInt64 = 0
    private var nextSequence: UInt64 = 0
    /// Whether the request being answered is an append after which pipelined appends may go ahead.
    private var currentAllowsAhead = false
    /// Appends dispatched behind the request being answered, in order (see ``dispatchAhead(context:)``).
    private var ahead = PipelinedAppends()
    /// The body bytes so far when ``pipelined`` holds just the start of an append that may go ahead (reads go on
    /// until it is whole); `nil` otherwise.
    private var collectingAhead: Int?
    /// Bytes that failed to decode behind requests still being answered: those are answered first, in order,
    /// then the connection is refused (or, after a `Connection: close` request, simply closed). Reads stop.
    private var deferredParserError: HTTPRequestParserError?
    private var operations: ServerOperations { handler.operations }
    /// Parts of requests that arrived while a response was being produced, in order.
    private var pipelined = CircularBuffer<HTTPServerRequestPart>()
    /// Whether ``pipelined`` is being worked through (a response finishing inside it must not start another pass).
    private var replaying = false
    /// A read the channel asked for while requests were waiting: issued once they are taken up.
    private var heldRead = false
    /// The last response's buffer, reused for the next one (see ``write(_:version:method:keepAlive:lifetime:context:)``).
    private var scratch: ByteBuffer?
    /// The channel's allocator and peer address, looked up once per connection rather than per request (each
    /// `Channel` property read takes a lock or retains).
    private var allocator = ByteBufferAllocator()
    private var cachedPeer: SocketAddress??
    /// The channel's synchronous options, asked after each response whether the socket took it all.
    private var channelOptions: (any NIOSynchronousChannelOptions)?
    /// Whether the connection is open, kept from the channel's events (asking the channel retains it and reads
    /// an atomic, on every response).
    private var channelIsActive = false
    /// A response written in a batch of woken readers, finished when the batch has written all its answers.
    private var finishingAfterBatch: FinishingResponse?

    private struct FinishingResponse {
        let observation: RequestObservation?
        let lifetime: RequestLifetime
        let keepAlive: Bool
        let context: ChannelHandlerContext
    }

    init(handler: StreamRequestHandler, router: StreamPathRouter, limits: ServerLimits, headWriter: ResponseHeadWriter, scheme: String = "http") {
        self.handler = handler
        self.router = router
        self.limits = limits
        self.parser = HTTPRequestParser(limits: HTTPRequestParser.Limits(limits))
        self.headWriter = headWriter
        self.scheme = scheme
    }

    func handlerAdded(context: ChannelHandlerContext) {
        allocator = context.channel.allocator
        channelOptions = context.channel.syncOptions
        channelIsActive = context.channel.isActive
    }

    func channelActive(context: ChannelHandlerContext) {
        channelIsActive = true
        context.fireChannelActive()
    }

    /// Where a request came from: the peer, or what trusted proxies in front of it say.
    private func origin(of head: HTTPRequestHead, context: ChannelHandlerContext) -> ForwardedOrigin {
        ForwardedOrigin.resolve(peer: peer(context), headers: head.headers, scheme: scheme, trustedProxies: operations.trustedProxies)
    }

    /// The connection's peer (its address does not change while it is open).
    private func peer(_ context: ChannelHandlerContext) -> SocketAddress? {
        if let cachedPeer { return cachedPeer }
        let peer = context.channel.remoteAddress
        cachedPeer = .some(peer)
        return peer
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        parser.feed(unwrapInboundIn(data))
        do {
            while let part = try parser.next() { take(part, context: context) }
        } catch {
            parserFailed(error, context: context)
        }
    }

    /// Hands on one request part, in the order they arrived.
    private func take(_ part: HTTPServerRequestPart, context: ChannelHandlerContext) {
        // Behind a response being produced, or behind requests already waiting, a part waits its turn
        // (or goes ahead, when it completes an append behind appends).
        if case .responding = state {
            pipelined.append(part)
            if currentAllowsAhead { aheadMayChange(with: part, context: context) }
        } else if !pipelined.isEmpty {
            pipelined.append(part)
        } else {
            receive(part, context: context)
        }
    }

    /// Holds the channel's reads while pipelined requests wait, so a client cannot queue without bound.
    func read(context: ChannelHandlerContext) {
        if (pipelined.isEmpty || collectingAhead != nil) && deferredParserError == nil {
            context.read()
        } else {
            heldRead = true
        }
    }

    /// Takes up what waits once the connection is idle again: the next append that went ahead (writing its
    /// answer if it is ready), else pipelined requests, until a request is being answered.
    private func replayPipelined(context: ChannelHandlerContext) {
        guard !replaying else { return }
        replaying = true
        defer { replaying = false }
        loop: while true {
            switch state {
            case .responding:
                if currentAllowsAhead { dispatchAhead(context: context) }
                break loop
            case .closed:
                pipelined.removeAll()
                break loop
            case .idle where !ahead.isEmpty:
                takeUpAhead(context: context)
            case .idle, .receiving, .discarding:
                guard !pipelined.isEmpty else {
                    if let error = deferredParserError {
                        deferredParserError = nil
                        refuseMalformed(error, context: context)
                    }
                    break loop
                }
                collectingAhead = nil
                receive(pipelined.removeFirst(), context: context)
            }
        }
        if heldRead && (pipelined.isEmpty || collectingAhead != nil) && deferredParserError == nil {
            heldRead = false
            context.read()
        }
    }

    /// A part arrived behind requests in flight that allow appends to go ahead. A head or an end may complete
    /// or start an append that can go ahead, so the waiting parts are scanned; a body part can only take the
    /// append being collected over the byte budget, so it is just counted (scanning every waiting part again
    /// for each body part would cost time quadratic in the parts of a body arriving in small pieces).
    private func aheadMayChange(with part: HTTPServerRequestPart, context: ChannelHandlerContext) {
        guard case .body(let bytes) = part else {
            dispatchAhead(context: context)
            return
        }
        guard let collected = collectingAhead else { return }
        let total = collected + bytes.readableBytes
        collectingAhead = total > limits.maxBodyBytes - ahead.bodyBytes ? nil : total
    }

    /// Hands whole appends waiting at the front of ``pipelined`` to the store while the requests in flight are
    /// appends too, up to the limit (see ``PipelinedAppends``).
    private func dispatchAhead(context: ChannelHandlerContext) {
        collectingAhead = nil
        while ahead.count + 1 < limits.maxPipelinedAppends && ahead.isOpen && !operations.isDraining {
            let scan = PipelinedAppends.scan(pipelined, router: router, limits: limits, byteBudget: limits.maxBodyBytes - ahead.bodyBytes)
            switch scan {
            case .wait:
                return
            case .incomplete(let bodyBytes):
                collectingAhead = bodyBytes
                return
            case .complete(let head, let path, let urlPath, let query, let parts):
                pipelined.removeFirst()
                var body: ByteBuffer?
                for _ in 1..<parts {
                    guard case .body(let part) = pipelined.removeFirst() else { continue }
                    if body == nil { body = part } else { body!.writeImmutableBuffer(part) }
                }
                dispatchAhead(head, path: path, urlPath: urlPath, query: query, body: body ?? allocator.buffer(capacity: 0), context: context)
            }
        }
    }

    /// Hands one append to the handler ahead of its turn; its answer is kept until its turn.
    private func dispatchAhead(
        _ head: HTTPRequestHead,
        path: String,
        urlPath: Substring,
        query: QueryParameters,
        body: ByteBuffer,
        context: ChannelHandlerContext
    ) {
        let lifetime = RequestLifetime(eventLoop: context.eventLoop)
        let sequence = nextSequence
        nextSequence &+= 1
        let origin = origin(of: head, context: context)
        var observation = RequestObservation(
            method: head.method, target: head.uri, headers: head.headers, peer: peer(context), operations: operations
        )
        observation.dispatched(clientAddress: origin.clientAddress, bodyBytes: body.readableBytes, operations: operations)
        // The handler reaches the store before it returns (StreamStore: operations apply in call order).
        let answer = respondToStream(head, path: path, urlPath: urlPath, query: query, body: body, origin: origin, lifetime: lifetime, context: context)
        var entry = PipelinedAppends.Entry(
            sequence: sequence, head: head, keepAlive: head.isKeepAlive, lifetime: lifetime, observation: observation,
            bodyBytes: body.readableBytes, response: nil
        )
        switch answer {
        case .now(let response):
            entry.response = response
            ahead.append(entry)
        case .later, .waiting:
            ahead.append(entry)
            whenAnswered(answer, sequence: sequence, checkHeaders: false, head: head, keepAlive: entry.keepAlive, lifetime: lifetime, context: context)
        }
    }

    /// Hands a request below the stream root to the protocol handler.
    private func respondToStream(
        _ head: HTTPRequestHead,
        path: String,
        urlPath: Substring,
        query: QueryParameters,
        body: ByteBuffer,
        origin: ForwardedOrigin,
        lifetime: RequestLifetime,
        context: ChannelHandlerContext
    ) -> StreamRequestHandler.Answer {
        let request = StreamRequest(method: head.method, streamPath: path, urlPathText: urlPath, query: query, headers: head.headers, body: body)
        let requestContext = RequestContext(
            eventLoop: context.eventLoop,
            allocator: allocator,
            lifetime: lifetime,
            host: origin.host,
            scheme: origin.scheme,
            clientAddress: origin.clientAddress
        )
        return handler.respond(request, context: requestContext)
    }

    /// Makes the oldest append that went ahead the request being answered, and writes its answer if it has one.
    private func takeUpAhead(context: ChannelHandlerContext) {
        let entry = ahead.removeFirst()
        currentSequence = entry.sequence
        currentAllowsAhead = entry.keepAlive
        observation = entry.observation
        state = .responding(entry.lifetime)
        if let response = entry.response {
            respond(with: response, checkHeaders: false, head: entry.head, keepAlive: entry.keepAlive, lifetime: entry.lifetime, context: context)
        }
    }

    private func receive(_ part: HTTPServerRequestPart, context: ChannelHandlerContext) {
        switch part {
        case .head(let head):
            guard case .idle = state else { return }
            receiveHead(head, context: context)
        case .body(let part):
            guard case .receiving(let head, var body) = state else { return }
            let received = (body?.readableBytes ?? 0) + part.readableBytes
            if received > limits.maxBodyBytes {
                refuse(.payloadTooLarge, "request body exceeds \(limits.maxBodyBytes) bytes", version: head.version, context: context)
                return
            }
            if body == nil {
                body = part
            } else {
                body!.writeImmutableBuffer(part)
            }
            state = .receiving(head, body: body)
        case .end:
            if case .receiving(let head, let body) = state {
                dispatch(head, body: body ?? allocator.buffer(capacity: 0), context: context)
            }
        }
    }

    private func receiveHead(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        observation = RequestObservation(
            method: head.method, target: head.uri, headers: head.headers, peer: peer(context), operations: operations
        )
        if head.uri.utf8.count > limits.maxURIBytes {
            refuse(.uriTooLong, "request target exceeds \(limits.maxURIBytes) bytes", version: head.version, context: context)
            return
        }
        if let length = head.headers.first(name: "Content-Length").flatMap(Int.init), length > limits.maxBodyBytes {
            refuse(.payloadTooLarge, "request body exceeds \(limits.maxBodyBytes) bytes", version: head.version, context: context)
            return
        }
        if head.headers.first(name: "Expect")?.lowercased() == "100-continue" {
            var buffer = allocator.buffer(capacity: 32)
            ResponseHeadWriter.writeContinue(version: head.version, into: &buffer)
            context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
        }
        state = .receiving(head, body: nil)
    }

    private func dispatch(_ head: HTTPRequestHead, body: ByteBuffer, context: ChannelHandlerContext) {
        let lifetime = RequestLifetime(eventLoop: context.eventLoop)
        state = .responding(lifetime)
        let sequence = nextSequence
        currentSequence = sequence
        nextSequence &+= 1
        currentAllowsAhead = false
        let keepAlive = head.isKeepAlive
        let answer: StreamRequestHandler.Answer
        let origin = origin(of: head, context: context)
        observation?.dispatched(clientAddress: origin.clientAddress, bodyBytes: body.readableBytes, operations: operations)
        // Responses from outside the stream protocol (control APIs, operations endpoints) are checked before they
        // are sent: NIO's own header validation is off (see DurableStreamServer.start).
        var checkHeaders = true
        switch router.route(head.uri) {
        case .stream(let path, let urlPath, let query):
            checkHeaders = false
            if head.method == .GET, let live = query[QueryParameter.live] { observation?.markLive(live, operations: operations) }
            currentAllowsAhead = head.method == .POST && keepAlive && limits.maxPipelinedAppends > 1
            answer = respondToStream(head, path: path, urlPath: urlPath, query: query, body: body, origin: origin, lifetime: lifetime, context: context)
        case .reserved(let subpath, let query):
            let requestContext = RequestContext(
                eventLoop: context.eventLoop,
                allocator: allocator,
                lifetime: lifetime,
                host: head.headers.first(name: "Host"),
                scheme: scheme,
                clientAddress: origin.clientAddress
            )
            if let refused = handler.admitReserved(bodyBytes: body.readableBytes, context: requestContext) {
                answer = .now(refused)
            } else if let controlAPI = handler.options.controlAPI {
                let request = ControlRequest(method: head.method, subpath: subpath, query: query, headers: head.headers, body: body)
                answer = .later(controlAPI.handle(request, context: requestContext))
            } else {
                answer = .now(handler.reservedNotFound())
            }
        case .outside:
            if let endpoint = operations.endpoint(at: StreamPathRouter.splitQuery(head.uri).0) {
                answer = .later(operations.answer(
                    endpoint, method: head.method, headers: head.headers, clientAddress: origin.clientAddress,
                    handler: handler, eventLoop: context.eventLoop
                ))
            } else {
                answer = .now(handler.errorResponse(.notFound, "not found: streams live under \(router.streamRoot)"))
            }
        case .invalid(let reason):
            checkHeaders = false
            answer = .now(handler.errorResponse(.badRequest, reason))
        }
        switch answer {
        case .now(let response):
            respond(with: response, checkHeaders: checkHeaders, head: head, keepAlive: keepAlive, lifetime: lifetime, context: context)
        case .later, .waiting:
            whenAnswered(answer, sequence: sequence, checkHeaders: checkHeaders, head: head, keepAlive: keepAlive, lifetime: lifetime, context: context)
        }
    }

    /// Writes the answer to request `sequence` once it is ready, or keeps it until its turn if an earlier request
    /// is still being answered. `answer` is one that comes later.
    private func whenAnswered(
        _ answer: StreamRequestHandler.Answer,
        sequence: UInt64,
        checkHeaders: Bool,
        head: HTTPRequestHead,
        keepAlive: Bool,
        lifetime: RequestLifetime,
        context: ChannelHandlerContext
    ) {
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let deliver: @Sendable (StreamResponse) -> Void = { response in
            let (handler, context) = loopBound.value
            if sequence == handler.currentSequence {
                handler.respond(with: response, checkHeaders: checkHeaders, head: head, keepAlive: keepAlive, lifetime: lifetime, context: context)
            } else if !handler.ahead.complete(sequence, with: response) {
                lifetime.end(.clientGone)  // the connection closed before its turn
            }
        }
        switch answer {
        case .now(let response):
            deliver(response)
        case .later(let future):
            future.whenComplete { result in
                switch result {
                case .success(let response): deliver(response)
                case .failure(let error): deliver(loopBound.value.0.handler.errorResponse(for: error))
                }
            }
        case .waiting(let wait):
            wait.whenAnswered(deliver)
        }
    }

    /// Writes the answer to `head`, after checking its header values when it comes from outside the stream protocol.
    private func respond(
        with response: StreamResponse,
        checkHeaders: Bool,
        head: HTTPRequestHead,
        keepAlive: Bool,
        lifetime: RequestLifetime,
        context: ChannelHandlerContext
    ) {
        var response = response
        if checkHeaders && !HeaderSafety.areSafe(response.headers) {
            operations.logger.error("refused to send a response header with CR, LF or NUL", metadata: ["target": "\(head.uri)"])
            response = handler.errorResponse(.internalServerError, "internal error")
        }
        write(response, version: head.version, method: head.method, keepAlive: keepAlive, lifetime: lifetime, context: context)
    }

    /// Answers a request refused before its body was read, then closes the connection.
    private func refuse(_ status: HTTPResponseStatus, _ reason: String, version: HTTPVersion, context: ChannelHandlerContext) {
        let lifetime = RequestLifetime(eventLoop: context.eventLoop)
        state = .discarding
        if observation == nil {
            observation = RequestObservation(
                method: .RAW(value: "-"), target: "-", headers: [:], peer: peer(context), operations: operations
            )
        }
        observation?.enterFlight(operations: operations)
        write(handler.errorResponse(status, reason), version: version, method: .GET, keepAlive: false, lifetime: lifetime, context: context)
    }

    private func write(
        _ response: StreamResponse,
        version: HTTPVersion,
        method: HTTPMethod,
        keepAlive: Bool,
        lifetime: RequestLifetime,
        context: ChannelHandlerContext
    ) {
        guard channelIsActive else {
            lifetime.end(.clientGone)
            return
        }
        var keepAlive = keepAlive
        let status = response.status
        let contentLength = response.contentLength
        let framing: ResponseHeadWriter.Framing
        switch response.body {
        case .empty:
            framing = Self.mayHaveBody(status) ? .length(0) : .none
        case .buffers:
            framing = .length(contentLength)
        case .eventStream:
            keepAlive = false
            framing = version.major == 1 && version.minor >= 1 ? .chunked : .untilClose
        }
        // Draining closes the connection after this answer, unless appends that went ahead still wait for theirs.
        if operations.isDraining && ahead.isEmpty { keepAlive = false }
        let bodyBytes = method == .HEAD ? 0 : contentLength
        observation?.responded(status: status, bytes: bodyBytes)

        // One buffer for the head and a small body, reused across the connection's responses: once the socket
        // took the previous response this buffer is the only reference to its storage, so nothing is allocated.
        var buffer = scratch ?? allocator.buffer(capacity: 512)
        scratch = nil
        buffer.clear()
        headWriter.write(
            version: version,
            status: status,
            headers: response.explicitHeaders,
            fields: response.fields,
            includesCommonHeaders: response.includesCommonHeaders,
            requestID: observation?.requestID,
            framing: framing,
            keepAlive: keepAlive,
            into: &buffer
        )
        switch response.body {
        case .empty:
            send(buffer, context: context)
            finishResponse(keepAlive: keepAlive, lifetime: lifetime, context: context)
        case .buffers(let buffers):
            if bodyBytes > 0 && bodyBytes <= Self.inlineBodyBytes {
                for part in buffers { buffer.writeImmutableBuffer(part) }
                send(buffer, context: context)
            } else {
                send(buffer, context: context)
                if bodyBytes > 0 {
                    for part in buffers where part.readableBytes > 0 { context.write(wrapOutboundOut(part), promise: nil) }
                }
            }
            finishResponse(keepAlive: keepAlive, lifetime: lifetime, context: context)
        case .eventStream(let session):
            send(buffer, context: context)
            context.flush()
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            let writer = ChannelSSEWriter(
                context: context,
                chunked: framing == .chunked,
                gauge: handler.liveRequests
            ) {
                let (handler, context) = loopBound.value
                handler.observation?.bytesOut += handler.sseWriter?.bytesWritten ?? 0
                handler.sseWriter = nil
                handler.finishResponse(keepAlive: false, lifetime: lifetime, context: context)
            }
            sseWriter = writer
            session.start(writer: writer)
        }
    }

    /// Writes `buffer` and keeps it for the next response when it is small (an idle connection holds no more).
    private func send(_ buffer: ByteBuffer, context: ChannelHandlerContext) {
        context.write(wrapOutboundOut(buffer), promise: nil)
        if buffer.capacity <= Self.keptBufferCapacity { scratch = buffer }
    }

    /// Bodies up to this size are copied into the head's buffer, so head and body leave in one write.
    private static let inlineBodyBytes = 1024
    /// The largest response buffer a connection keeps between responses.
    private static let keptBufferCapacity = 2048

    /// Whether a response with `status` has a body, even an empty one (so it carries a `Content-Length`).
    private static func mayHaveBody(_ status: HTTPResponseStatus) -> Bool {
        status.code >= 200 && status != .noContent && status != .notModified
    }

    private func finishResponse(keepAlive: Bool, lifetime: RequestLifetime, context: ChannelHandlerContext) {
        let finished = observation.take()
        if keepAlive, case .responding = state { state = .idle }
        if !keepAlive { state = .closed }
        context.flush()
        // Answering a batch of woken readers, the rest waits until the batch has written every answer: the last
        // reader of a fan-out then waits only for the answers written before its own.
        if let earlier = finishingAfterBatch.take() {
            // Responses finish in order (a connection answers one request at a time, so this is not expected).
            completeResponse(earlier.observation, lifetime: earlier.lifetime, keepAlive: earlier.keepAlive, context: earlier.context)
        }
        if WokenReaders.finishAfterBatch(self, on: context.eventLoop) {
            finishingAfterBatch = FinishingResponse(observation: finished, lifetime: lifetime, keepAlive: keepAlive, context: context)
            return
        }
        completeResponse(finished, lifetime: lifetime, keepAlive: keepAlive, context: context)
    }

    /// Records the flushed response's observation and ends its request once its bytes have left, then takes up
    /// the next pipelined request.
    private func completeResponse(_ finished: RequestObservation?, lifetime: RequestLifetime, keepAlive: Bool, context: ChannelHandlerContext) {
        let operations = self.operations
        // Usually the socket takes the whole response at the flush. Then the request is complete now and
        // finishing needs no promise. (With TLS, bytes may wait in the TLS handler where the channel's count
        // does not see them.)
        if keepAlive && scheme == "http" && hasNothingBuffered {
            finished?.finish(clientGone: false, operations: operations)
            lifetime.end(.completed)
            replayPipelined(context: context)
            return
        }
        // An empty write completes once everything written before it has left.
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(allocator.buffer(capacity: 0)), promise: written)
        let channel = context.channel
        written.futureResult.whenComplete { _ in
            finished?.finish(clientGone: false, operations: operations)
            lifetime.end(.completed)
            if !keepAlive { channel.close(promise: nil) }
        }
        if keepAlive { replayPipelined(context: context) }
    }

    /// Whether everything written to the channel so far has reached the socket.
    private var hasNothingBuffered: Bool {
        (try? channelOptions?.getOption(.bufferedWritableBytes)) == 0
    }

    func channelInactive(context: ChannelHandlerContext) {
        channelIsActive = false
        if case .responding(let lifetime) = state { lifetime.end(.clientGone) }
        if var abandoned = observation.take() {
            abandoned.bytesOut += sseWriter?.bytesWritten ?? 0
            abandoned.finish(clientGone: true, operations: operations)
        }
        state = .closed
        channelOptions = nil  // it holds the channel
        pipelined.removeAll()
        collectingAhead = nil
        // Appends that went ahead stay applied (the store has them); only their answers are lost.
        for entry in ahead.removeAll() {
            entry.lifetime.end(.clientGone)
            entry.observation?.finish(clientGone: true, operations: operations)
        }
        context.fireChannelInactive()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        sseWriter?.writabilityChanged()
        context.fireChannelWritabilityChanged()
    }

    /// Answers a request the parser refused once the requests before it are answered, then closes the connection:
    /// after a framing error nothing later on it can be trusted (the parser yields nothing more).
    private func parserFailed(_ error: HTTPRequestParserError, context: ChannelHandlerContext) {
        switch state {
        case .idle, .receiving:
            refuseMalformed(error, context: context)
        case .responding:
            // Answer the requests that arrived before the bad bytes first (see deferredParserError).
            deferredParserError = error
        case .discarding, .closed:
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private func refuseMalformed(_ error: HTTPRequestParserError, context: ChannelHandlerContext) {
        refuse(error.status, error.description, version: .http1_1, context: context)
    }
}

extension HTTPChannelHandler: BatchFinishable {
    func finishAfterBatch() {
        guard let response = finishingAfterBatch.take() else { return }
        completeResponse(response.observation, lifetime: response.lifetime, keepAlive: response.keepAlive, context: response.context)
    }
}
