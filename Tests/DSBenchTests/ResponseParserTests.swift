@testable import DSBenchKit
import NIOCore
import Testing

/// The load generator's HTTP/1.1 response parser, fed whole and one byte at a time.
struct ResponseParserTests {
    final class Recorder: ResponseConsumer {
        var events: [String] = []
        var body = ""
        func responseHead(_ head: ResponseHead) { events.append("head \(head.status) \(head.header("stream-next-offset") ?? "-")") }
        func responseBody(_ buffer: ByteBuffer) { body += String(buffer: buffer) }
        func responseEnd() {
            events.append("end \(body)")
            body = ""
        }
        func connectionClosed(error: (any Error)?) { events.append("closed") }
    }

    static let wire =
        "HTTP/1.1 100 Continue\r\n\r\n"
        + "HTTP/1.1 204 No Content\r\nStream-Next-Offset: 0_5\r\n\r\n"
        + "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nStream-Next-Offset:  0_10 \r\n\r\nhello"
        + "HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\n"  // answer to HEAD: no body follows
        + "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=1\r\nabc\r\n0\r\nTrailer: t\r\n\r\n"
        + "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil close"

    static let expected = [
        "head 204 0_5", "end ", "head 200 0_10", "end hello", "head 200 -", "end ", "head 200 -", "end abc", "head 200 -", "end until close",
    ]

    func run(chunkSize: Int) throws -> [String] {
        let parser = ResponseParser()
        let recorder = Recorder()
        for bodyAllowed in [true, true, false, true, true] { parser.expectResponse(bodyAllowed: bodyAllowed) }
        let bytes = Array(Self.wire.utf8)
        for start in stride(from: 0, to: bytes.count, by: chunkSize) {
            try parser.feed(ByteBuffer(bytes: bytes[start..<min(start + chunkSize, bytes.count)]), recorder)
        }
        parser.connectionClosed(recorder)
        return recorder.events
    }

    @Test(arguments: [1, 2, 7, 100_000])
    func parsesEveryFramingInAnyChunking(_ chunkSize: Int) throws {
        #expect(try run(chunkSize: chunkSize) == Self.expected)
    }

    @Test func refusesGarbage() {
        let parser = ResponseParser()
        #expect(throws: BenchError.self) { try parser.feed(ByteBuffer(string: "NOT HTTP AT ALL\r\n\r\n"), Recorder()) }
    }
}
