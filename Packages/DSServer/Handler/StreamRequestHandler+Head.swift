import DSProtocol
import DSStore
import NIOCore
import NIOHTTP1

extension StreamRequestHandler {
    /// `HEAD`: metadata without a body; never cached, and does not slide a TTL.
    func head(_ request: StreamRequest, context: RequestContext) -> EventLoopFuture<StreamResponse> {
        let future = store.metadata(path: request.streamPath, now: options.clock.now(), on: context.eventLoop).map { info -> StreamResponse in
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: info.contentType.value)
            headers.add(name: ProtocolHeader.streamNextOffset, value: info.tail.description)
            self.addExpiryHeaders(info, to: &headers)
            if info.closed { headers.add(name: ProtocolHeader.streamClosed, value: "true") }
            headers.add(name: "Cache-Control", value: "no-store")
            return StreamResponse(status: .ok, headers: headers)
        }
        return future
    }

    /// `Stream-TTL` for sliding windows, `Stream-Expires-At` for absolute deadlines.
    func addExpiryHeaders(_ info: StreamInfo, to headers: inout HTTPHeaders) {
        switch info.expiry {
        case .none: break
        case .ttl(let seconds): headers.add(name: ProtocolHeader.streamTTL, value: String(seconds))
        case .expiresAt(let milliseconds):
            headers.add(name: ProtocolHeader.streamExpiresAt, value: RFC3339.format(milliseconds: milliseconds))
        }
    }

    /// `DELETE`: remove a stream (soft-delete while forks use it).
    func delete(_ request: StreamRequest, context: RequestContext) -> EventLoopFuture<StreamResponse> {
        let now = options.clock.now()
        let future = store.delete(path: request.streamPath, now: now, on: context.eventLoop).map { outcome -> StreamResponse in
            switch outcome {
            case .deleted(let info), .softDeleted(let info):
                self.emit(.deleted, path: info.path, contentType: info.contentType, at: now)
            }
            return StreamResponse(status: .noContent, headers: ["Cache-Control": "no-store"])
        }
        return future
    }

    /// `OPTIONS`: CORS preflight.
    func preflight() -> StreamResponse {
        var headers = HTTPHeaders()
        if let cors = options.cors {
            headers.add(name: "Access-Control-Allow-Methods", value: Self.allowedMethods)
            headers.add(name: "Access-Control-Allow-Headers", value: ProtocolHeader.allowedFromBrowsers.joined(separator: ", "))
            headers.add(name: "Access-Control-Max-Age", value: String(cors.maxAgeSeconds))
        }
        headers.add(name: "Allow", value: Self.allowedMethods)
        return StreamResponse(status: .noContent, headers: headers)
    }
}
