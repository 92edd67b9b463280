@testable import DSServer
import DSTestSupport
import Foundation
import NIOCore
import NIOEmbedded
import Testing

/// SSE events are framed by the transport itself (below NIO's response encoder): chunked for HTTP/1.1, the bare
/// bytes for HTTP/1.0. Both carry the same events.
struct SSEFramingTests {
    @Test func http11IsChunkedAndHttp10IsPlainWithTheSameEvents() async throws {
        try await TestServer.with(.memory, configure: { $0.sseConnectionLifetime = .milliseconds(300) }) { server in
            let path = uniquePath("framing")
            try await server.createStream(path)
            try await server.appendText(path, "hello")
            try await server.appendText(path, String(repeating: "x", count: 300))
            let target = "\(server.urlPath(path))?offset=-1&live=sse"
            let reply11 = try await RawHTTP.exchange(port: server.port, request: Array("GET \(target) HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
            let reply10 = try await RawHTTP.exchange(port: server.port, request: Array("GET \(target) HTTP/1.0\r\n\r\n".utf8))
            let (head11, body11) = Self.split(reply11)
            let (head10, body10) = Self.split(reply10)
            #expect(head11.lowercased().contains("transfer-encoding: chunked"))
            #expect(!head10.lowercased().contains("transfer-encoding"))
            let decoded = try #require(Self.dechunk(body11))
            // The two responses differ only in their cursors (time-based, with jitter).
            #expect(Self.withoutCursors(decoded) == Self.withoutCursors(body10))
            #expect(body10.contains("data: hello"))
            #expect(body10.contains("event: control"))
        }
    }

    @Test func chunkHeadersAreLowerCaseHex() {
        let allocator = ByteBufferAllocator()
        for (length, expected) in [(1, "1\r\n"), (15, "f\r\n"), (16, "10\r\n"), (300, "12c\r\n"), (1 << 20, "100000\r\n")] {
            #expect(String(buffer: ChannelSSEWriter.chunkHeader(length, allocator: allocator)) == expected)
        }
    }

    private static func withoutCursors(_ events: String) -> String {
        events.replacing(/"streamCursor":"[0-9]+"/, with: "")
    }

    private static func split(_ reply: String) -> (String, String) {
        guard let range = reply.range(of: "\r\n\r\n") else { return (reply, "") }
        return (String(reply[..<range.lowerBound]), String(reply[range.upperBound...]))
    }

    /// The payload of a chunked body, or `nil` if its framing is broken (a missing terminator included).
    private static func dechunk(_ body: String) -> String? {
        var bytes = Array(body.utf8)[...]
        var payload: [UInt8] = []
        while true {
            guard let lineEnd = bytes.firstIndex(of: UInt8(ascii: "\r")), bytes.count > lineEnd - bytes.startIndex + 1,
                let length = Int(String(decoding: bytes[bytes.startIndex..<lineEnd], as: UTF8.self), radix: 16)
            else { return nil }
            bytes = bytes[(lineEnd + 2)...]
            if length == 0 { return String(decoding: payload, as: UTF8.self) }
            guard bytes.count >= length + 2 else { return nil }
            payload += bytes.prefix(length)
            bytes = bytes.dropFirst(length + 2)
        }
    }
}

/// Held (unflushed) bytes leave exactly once: with the next flush, before a second unflushed send, or at the end.
struct SSEWriterHeldBytesTests {
    private final class Sink: ChannelOutboundHandler {
        typealias OutboundIn = ByteBuffer
    }

    private func withWriter(_ body: (ChannelSSEWriter) throws -> Void) throws -> String {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(Sink())
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        let context = try channel.pipeline.syncOperations.context(handlerType: Sink.self)
        // The transport flushes when the writer finishes (finishResponse); so does this one.
        let writer = ChannelSSEWriter(context: context, chunked: false, gauge: LiveRequestTracker()) { channel.flush() }
        try body(writer)
        var out = ""
        while let part = try channel.readOutbound(as: ByteBuffer.self) { out += String(buffer: part) }
        _ = try channel.finish()
        return out
    }

    @Test func twoUnflushedSendsThenAFlushWriteEachByteOnce() throws {
        let out = try withWriter { writer in
            writer.send(ByteBuffer(string: "a"), flush: false)
            writer.send(ByteBuffer(string: "b"), flush: false)
            writer.send(ByteBuffer(string: "c"), flush: true)
        }
        #expect(out == "abc")
    }

    @Test func heldBytesLeaveOnceAtTheEnd() throws {
        let out = try withWriter { writer in
            writer.send(ByteBuffer(string: "a"), flush: false)
            writer.finish()
        }
        #expect(out == "a")
    }
}
