import DSProtocol
import DSStore
import NIOCore
import NIOHTTP1

extension StreamRequestHandler {
    /// `PUT`: create a stream (or a fork), or confirm an identical existing one.
    func create(_ request: StreamRequest, context: RequestContext) -> EventLoopFuture<StreamResponse> {
        let createRequest: CreateStreamRequest
        do {
            createRequest = try parseCreate(request)
        } catch {
            return context.eventLoop.makeSucceededFuture(errorResponse(for: error))
        }
        let future = store.create(createRequest, on: context.eventLoop).map { outcome -> StreamResponse in
            var headers = HTTPHeaders()
            let info: StreamInfo
            let status: HTTPResponseStatus
            switch outcome {
            case .created(let created):
                info = created
                status = .created
                headers.add(name: "Location", value: self.absoluteURL(request.urlPath, context: context))
                self.emit(.created, path: info.path, contentType: info.contentType, at: info.createdAt)
            case .alreadyExists(let existing):
                info = existing
                status = .ok
            }
            headers.add(name: "Content-Type", value: info.contentType.value)
            headers.add(name: ProtocolHeader.streamNextOffset, value: info.tail.description)
            if info.closed { headers.add(name: ProtocolHeader.streamClosed, value: "true") }
            headers.add(name: "Cache-Control", value: "no-store")
            return StreamResponse(status: status, headers: headers)
        }
        return future
    }

    private func parseCreate(_ request: StreamRequest) throws -> CreateStreamRequest {
        let headers = request.headers
        var contentType: StreamContentType?
        if let value = headers.first(name: "Content-Type") {
            guard let parsed = StreamContentType(validating: value) else { throw ProtocolError.invalidContentType(value) }
            contentType = parsed
        }
        let expiry = try StreamExpiry.parse(
            ttl: headers.first(name: ProtocolHeader.streamTTL),
            expiresAt: headers.first(name: ProtocolHeader.streamExpiresAt)
        )
        return CreateStreamRequest(
            path: request.streamPath,
            contentType: contentType,
            expiry: expiry,
            closed: StreamClosedFlag.isSet(headers.first(name: ProtocolHeader.streamClosed)),
            body: request.body,
            fork: try parseFork(headers),
            now: options.clock.now()
        )
    }

    /// Reads `Stream-Forked-From`, `Stream-Fork-Offset` and `Stream-Fork-Sub-Offset`.
    private func parseFork(_ headers: HTTPHeaders) throws -> ForkSpec? {
        let source = headers.first(name: ProtocolHeader.streamForkedFrom)
        let offsetValue = headers.first(name: ProtocolHeader.streamForkOffset)
        let subOffsetValue = headers.first(name: ProtocolHeader.streamForkSubOffset)
        guard let source else {
            if offsetValue != nil || subOffsetValue != nil {
                throw ProtocolError.invalidFork("Stream-Fork-Offset and Stream-Fork-Sub-Offset require Stream-Forked-From")
            }
            return nil
        }
        var offset: StreamOffset?
        if let offsetValue {
            // The sentinels are valid offsets too (§8): `-1` forks at the beginning, `now` at the tail (the default).
            switch ReadStart(queryValue: offsetValue) {
            case .offset(let parsed): offset = parsed
            case .beginning: offset = .zero
            case .tail: offset = nil
            case nil: throw ProtocolError.invalidFork("malformed Stream-Fork-Offset")
            }
        }
        var subOffset: UInt64 = 0
        if let subOffsetValue {
            guard let parsed = StrictInteger.parseNonNegative(subOffsetValue, max: Int64(StreamOffset.fieldLimit)) else {
                throw ProtocolError.invalidFork("Stream-Fork-Sub-Offset must be a non-negative integer")
            }
            subOffset = UInt64(parsed)
        }
        let sourcePath: String
        switch StreamPathRouter(streamRoot: options.streamRoot).forkSource(source) {
        case .stream(let path): sourcePath = path
        // Checked after the syntax of the other headers, so a malformed request is a 400 whatever it names.
        case .noStream: throw StoreError.notFound(path: source)
        case .malformed: throw ProtocolError.invalidFork("Stream-Forked-From must name a stream path on this server")
        }
        return ForkSpec(sourcePath: sourcePath, offset: offset, subOffset: subOffset)
    }

    /// `scheme://host/path` when the host is known, else the path alone.
    func absoluteURL(_ path: String, context: RequestContext) -> String {
        guard let host = context.host, !host.isEmpty else { return path }
        return "\(context.scheme)://\(host)\(path)"
    }
}
