import DSProtocol
@testable import DSServer
import NIOCore
import NIOHTTP1
import Testing

/// The head writer reserves room for a head once and copies its pieces in; these pin the bytes it writes and
/// that its size bound holds for large heads.
struct ResponseHeadWriterTests {
    private let writer = ResponseHeadWriter(commonHeaders: ["X-Content-Type-Options": "nosniff"])

    @Test func aReadAnswerHeadIsWrittenFieldByField() {
        let fields = ReadResponseFields(
            contentType: "text/plain", nextOffset: StreamOffset(position: 5), upToDate: true, closed: false, cursor: "1234",
            entityTag: .init(streamID: 9, start: .zero, end: StreamOffset(position: 5), closed: false), cacheControl: "no-cache",
            varyAcceptEncoding: true
        )
        var buffer = ByteBuffer()
        writer.write(
            version: .http1_1, status: .ok, headers: [:], fields: .read(fields), includesCommonHeaders: false,
            requestID: RequestID(client: "r-1"), framing: .length(5), keepAlive: true, into: &buffer
        )
        let offset = StreamOffset(position: 5).description
        #expect(
            String(buffer: buffer) == "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nStream-Next-Offset: \(offset)\r\n"
                + "Stream-Up-To-Date: true\r\nStream-Cursor: 1234\r\nETag: \"9:\(StreamOffset.zero):\(offset)\"\r\n"
                + "Cache-Control: no-cache\r\nVary: Accept-Encoding\r\nX-Content-Type-Options: nosniff\r\nX-Request-Id: r-1\r\n"
                + "Content-Length: 5\r\n\r\n"
        )
    }

    @Test func largeExplicitHeadersFitTheReservedRoom() {
        var headers = HTTPHeaders()
        for index in 0..<50 { headers.add(name: "X-Long-\(index)", value: String(repeating: "v", count: 300)) }
        headers.add(name: "content-length", value: "999")  // framing headers are the transport's own
        var buffer = ByteBuffer()
        writer.write(
            version: HTTPVersion(major: 1, minor: 0), status: .custom(code: 599, reasonPhrase: String(repeating: "r", count: 200)),
            headers: headers, includesCommonHeaders: false, requestID: RequestID(client: String(repeating: "i", count: 128)),
            framing: .chunked, keepAlive: false, into: &buffer
        )
        let text = String(buffer: buffer)
        #expect(text.hasPrefix("HTTP/1.0 599 " + String(repeating: "r", count: 200) + "\r\n"))
        #expect(text.contains("X-Long-49: " + String(repeating: "v", count: 300) + "\r\n"))
        #expect(!text.contains("content-length"))
        #expect(text.hasSuffix("Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"))
    }
}
