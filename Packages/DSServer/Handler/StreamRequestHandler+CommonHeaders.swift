import DSProtocol
import NIOCore
import NIOHTTP1

extension StreamRequestHandler {
    /// Headers every response carries: browser security headers (PROTOCOL.md §12.7) and CORS.
    public func addCommonHeaders(to headers: inout HTTPHeaders) {
        headers.add(name: "X-Content-Type-Options", value: "nosniff")
        headers.add(name: "Cross-Origin-Resource-Policy", value: options.crossOriginResourcePolicy)
        if let cors = options.cors {
            headers.add(name: "Access-Control-Allow-Origin", value: cors.allowOrigin)
            headers.add(name: "Access-Control-Expose-Headers", value: Self.exposedHeaders)
            if cors.allowOrigin != "*" { headers.add(name: "Vary", value: "Origin") }
        }
    }

    static let exposedHeaders = ProtocolHeader.exposedToBrowsers.joined(separator: ", ")

    /// The answer for the reserved `__ds` namespace until a control API claims the path.
    func reservedNotFound() -> StreamResponse {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Cache-Control", value: "no-store")
        let body = #"{"error":{"code":"NOT_FOUND","message":"no control API at this path; the __ds prefix is reserved"}}"#
        return StreamResponse(status: .notFound, headers: headers, body: .buffers([ByteBuffer(string: body)]))
    }
}
