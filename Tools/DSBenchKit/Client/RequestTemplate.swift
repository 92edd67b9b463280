import NIOCore
import NIOHTTP1

/// A request encoded once into its wire bytes and written as many times as needed (a `ByteBuffer` is
/// copy-on-write, so every write shares the same storage).
struct RequestTemplate: Sendable {
    let method: HTTPMethod
    /// Request line and headers, without the blank line that ends the head.
    let headWithoutEnd: ByteBuffer
    let body: ByteBuffer?
    /// The complete request.
    let bytes: ByteBuffer

    init(
        _ method: HTTPMethod,
        _ uri: String,
        target: BenchTarget,
        headers: [(String, String)] = [],
        body: ByteBuffer? = nil
    ) {
        var head = ByteBuffer()
        head.reserveCapacity(128 + uri.utf8.count)
        head.writeString("\(method.rawValue) \(uri) HTTP/1.1\r\nHost: \(target.hostHeader)\r\n")
        for (name, value) in headers { head.writeString("\(name): \(value)\r\n") }
        if let body {
            head.writeString("Content-Length: \(body.readableBytes)\r\n")
        } else if method == .POST || method == .PUT {
            head.writeStaticString("Content-Length: 0\r\n")
        }
        self.method = method
        self.headWithoutEnd = head
        self.body = body
        self.bytes = Self.encode(head, extra: "", body: body)
    }

    /// The request with one more header line, e.g. `Producer-Seq: 7`.
    func with(header name: String, value: String) -> ByteBuffer {
        Self.encode(headWithoutEnd, extra: "\(name): \(value)\r\n", body: body)
    }

    private static func encode(_ head: ByteBuffer, extra: String, body: ByteBuffer?) -> ByteBuffer {
        var bytes = ByteBuffer()
        bytes.reserveCapacity(head.readableBytes + extra.utf8.count + 2 + (body?.readableBytes ?? 0))
        bytes.writeImmutableBuffer(head)
        bytes.writeString(extra)
        bytes.writeStaticString("\r\n")
        if let body { bytes.writeImmutableBuffer(body) }
        return bytes
    }
}
