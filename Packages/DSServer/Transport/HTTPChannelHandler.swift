import DSProtocol
import NIOCore
import NIOHTTP1

/// Moves bytes between one HTTP/1.1 connection and the ``StreamRequestHandler``: collects a request within
/// the configured limits, routes it, writes the response, and reports hang-ups so waiters are released at once.
final class HTTPChannelHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let handler: StreamRequestHandler
    private let router: StreamPathRouter
    private let limits: ServerLimits
    private let scheme: String

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
    private var sseWriter: ChannelSSEWriter?
    /// The current request's log and metrics record (Operations/RequestObservation).
    private var observation: RequestObservation?
    private var operations: ServerOperations { handler.operations }

    init(handler: StreamRequestHandler, router: StreamPathRouter, limits: ServerLimits, scheme: String = "http") {
        self.handler = handler
        self.router = router
        self.limits = limits
        self.scheme = scheme
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
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
            switch state {
            case .receiving(let head, let body):
                dispatch(head, body: body ?? context.channel.allocator.buffer(capacity: 0), context: context)
            case .discarding:
                break
            default:
                break
            }
        }
    }

    private func receiveHead(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        observation = RequestObservation(
            method: head.method, target: head.uri, headers: head.headers, peer: context.channel.remoteAddress, operations: operations
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
            context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .continue))), promise: nil)
        }
        state = .receiving(head, body: nil)
    }

    private func dispatch(_ head: HTTPRequestHead, body: ByteBuffer, context: ChannelHandlerContext) {
        let lifetime = RequestLifetime(eventLoop: context.eventLoop)
        state = .responding(lifetime)
        let keepAlive = head.isKeepAlive
        let response: EventLoopFuture<StreamResponse>
        let origin = ForwardedOrigin.resolve(
            peer: context.channel.remoteAddress, headers: head.headers, scheme: scheme, trustedProxies: operations.trustedProxies
        )
        observation?.clientAddress = origin.clientAddress
        observation?.bytesIn = body.readableBytes
        observation?.enterFlight(operations: operations)
        // Responses from outside the stream protocol (control APIs, operations endpoints) are checked before they
        // are sent: NIO's own header validation is off (see DurableStreamServer.start).
        var checkHeaders = true
        switch router.route(head.uri) {
        case .stream(let path, let urlPath, let query):
            checkHeaders = false
            if head.method == .GET, let live = query[QueryParameter.live] { observation?.markLive(live, operations: operations) }
            let request = StreamRequest(method: head.method, streamPath: path, urlPath: urlPath, query: query, headers: head.headers, body: body)
            let requestContext = RequestContext(
                eventLoop: context.eventLoop,
                allocator: context.channel.allocator,
                lifetime: lifetime,
                host: origin.host,
                scheme: origin.scheme,
                clientAddress: origin.clientAddress
            )
            response = handler.handle(request, context: requestContext)
        case .reserved(let subpath, let query):
            let requestContext = RequestContext(
                eventLoop: context.eventLoop,
                allocator: context.channel.allocator,
                lifetime: lifetime,
                host: head.headers.first(name: "Host"),
                scheme: scheme,
                clientAddress: origin.clientAddress
            )
            if let refused = handler.admitReserved(bodyBytes: body.readableBytes, context: requestContext) {
                response = context.eventLoop.makeSucceededFuture(refused)
            } else if let controlAPI = handler.options.controlAPI {
                let request = ControlRequest(method: head.method, subpath: subpath, query: query, headers: head.headers, body: body)
                response = controlAPI.handle(request, context: requestContext)
            } else {
                response = context.eventLoop.makeSucceededFuture(handler.reservedNotFound())
            }
        case .outside:
            if let endpoint = operations.endpoint(at: StreamPathRouter.splitQuery(head.uri).0) {
                response = operations.answer(
                    endpoint, method: head.method, headers: head.headers, clientAddress: origin.clientAddress,
                    handler: handler, eventLoop: context.eventLoop
                )
            } else {
                response = context.eventLoop.makeSucceededFuture(handler.errorResponse(.notFound, "not found: streams live under \(router.streamRoot)"))
            }
        case .invalid(let reason):
            checkHeaders = false
            response = context.eventLoop.makeSucceededFuture(handler.errorResponse(.badRequest, reason))
        }
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let checkResponseHeaders = checkHeaders
        response.whenComplete { result in
            let (handler, context) = loopBound.value
            var answer: StreamResponse
            switch result {
            case .success(let value): answer = value
            case .failure(let error): answer = handler.handler.errorResponse(for: error)
            }
            if checkResponseHeaders && !HeaderSafety.areSafe(answer.headers) {
                handler.operations.logger.error("refused to send a response header with CR, LF or NUL", metadata: ["target": "\(head.uri)"])
                answer = handler.handler.errorResponse(.internalServerError, "internal error")
            }
            handler.write(answer, version: head.version, method: head.method, keepAlive: keepAlive, lifetime: lifetime, context: context)
        }
    }

    /// Answers a request refused before its body was read, then closes the connection.
    private func refuse(_ status: HTTPResponseStatus, _ reason: String, version: HTTPVersion, context: ChannelHandlerContext) {
        let lifetime = RequestLifetime(eventLoop: context.eventLoop)
        state = .discarding
        if observation == nil {
            observation = RequestObservation(
                method: .RAW(value: "-"), target: "-", headers: [:], peer: context.channel.remoteAddress, operations: operations
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
        guard context.channel.isActive else {
            lifetime.end(.clientGone)
            return
        }
        var headers = response.headers
        if !response.includesCommonHeaders { handler.addCommonHeaders(to: &headers) }
        var keepAlive = keepAlive
        let status = response.status
        switch response.body {
        case .empty:
            if status != .noContent && status != .notModified && status.code >= 200 {
                headers.replaceOrAdd(name: "Content-Length", value: "0")
            }
        case .buffers:
            headers.replaceOrAdd(name: "Content-Length", value: String(response.contentLength))
        case .eventStream:
            keepAlive = false
        }
        if operations.isDraining { keepAlive = false }
        observation?.responded(status: status, headers: &headers, bytes: method == .HEAD ? 0 : response.contentLength)
        if !keepAlive { headers.replaceOrAdd(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: version, status: status, headers: headers))), promise: nil)

        switch response.body {
        case .empty:
            finishResponse(keepAlive: keepAlive, lifetime: lifetime, context: context)
        case .buffers(let buffers):
            if method != .HEAD {
                for buffer in buffers { context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil) }
            }
            finishResponse(keepAlive: keepAlive, lifetime: lifetime, context: context)
        case .eventStream(let session):
            context.flush()
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            let writer = ChannelSSEWriter(
                channel: context.channel,
                encoderContext: try? context.pipeline.syncOperations.context(handlerType: HTTPResponseEncoder.self),
                chunked: version.major == 1 && version.minor >= 1,
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

    private func finishResponse(keepAlive: Bool, lifetime: RequestLifetime, context: ChannelHandlerContext) {
        // Take this request's observation and become idle before writing `.end`: the pipelining handler delivers
        // the next pipelined request synchronously inside that write, and a head arriving while still
        // `.responding` would be dropped (the connection would hang).
        let finished = observation.take()
        if keepAlive, case .responding = state { state = .idle }
        if !keepAlive { state = .closed }
        let operations = self.operations
        if keepAlive && scheme == "http" {
            // Usually the socket takes the whole response at the flush. Then the request is complete now: its
            // `.end` (no bytes with Content-Length framing) needs no promise, and finishing needs no callback.
            // (With TLS, bytes may wait in the TLS handler where the channel's count does not see them.)
            context.flush()
            if Self.hasNothingBuffered(context.channel) {
                context.write(wrapOutboundOut(.end(nil)), promise: nil)
                finished?.finish(clientGone: false, operations: operations)
                lifetime.end(.completed)
                return
            }
        }
        let written = context.writeAndFlushPromise(wrapOutboundOut(.end(nil)))
        let channel = context.channel
        written.whenComplete { _ in
            finished?.finish(clientGone: false, operations: operations)
            lifetime.end(.completed)
            if !keepAlive { channel.close(promise: nil) }
        }
    }

    /// Whether everything written to `channel` so far has reached the socket.
    private static func hasNothingBuffered(_ channel: any Channel) -> Bool {
        (try? channel.syncOptions?.getOption(.bufferedWritableBytes)) == 0
    }

    func channelInactive(context: ChannelHandlerContext) {
        if case .responding(let lifetime) = state { lifetime.end(.clientGone) }
        if var abandoned = observation.take() {
            abandoned.bytesOut += sseWriter?.bytesWritten ?? 0
            abandoned.finish(clientGone: true, operations: operations)
        }
        state = .closed
        context.fireChannelInactive()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        sseWriter?.writabilityChanged()
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        switch state {
        case .idle, .receiving:
            if let parserError = error as? HTTPParserError {
                let status: HTTPResponseStatus = parserError == .headerOverflow ? .requestHeaderFieldsTooLarge : .badRequest
                refuse(status, "malformed HTTP request: \(parserError)", version: .http1_1, context: context)
                return
            }
        default:
            break
        }
        context.close(promise: nil)
    }
}

extension ChannelHandlerContext {
    fileprivate func writeAndFlushPromise(_ data: NIOAny) -> EventLoopFuture<Void> {
        let promise = eventLoop.makePromise(of: Void.self)
        writeAndFlush(data, promise: promise)
        return promise.futureResult
    }
}
