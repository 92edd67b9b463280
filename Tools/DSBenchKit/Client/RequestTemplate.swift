import NIOCore
import NIOHTTP1

/// A request sent many times: head and body are built once and reused (both are copy-on-write).
struct RequestTemplate: Sendable {
    var head: HTTPRequestHead
    var body: ByteBuffer?

    init(
        _ method: HTTPMethod,
        _ uri: String,
        target: BenchTarget,
        headers: [(String, String)] = [],
        body: ByteBuffer? = nil
    ) {
        var fields = HTTPHeaders()
        fields.add(name: "Host", value: target.hostHeader)
        for (name, value) in headers { fields.add(name: name, value: value) }
        if let body {
            fields.add(name: "Content-Length", value: String(body.readableBytes))
        } else if method == .POST || method == .PUT {
            fields.add(name: "Content-Length", value: "0")
        }
        head = HTTPRequestHead(version: .http1_1, method: method, uri: uri, headers: fields)
        self.body = body
    }
}
