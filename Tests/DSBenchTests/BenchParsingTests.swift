@testable import DSBenchKit
import NIOCore
import Testing

struct BenchParsingTests {
    @Test func targetParsesHostPortAndRoot() throws {
        let target = try BenchTarget(url: "http://127.0.0.1:4437/v1/stream")
        #expect(target.host == "127.0.0.1")
        #expect(target.port == 4437)
        #expect(target.rootPath == "/v1/stream/")
        #expect(target.uri("a", query: "offset=-1") == "/v1/stream/a?offset=-1")

        let bare = try BenchTarget(url: "http://[::1]:8080")
        #expect(bare.host == "::1")
        #expect(bare.rootPath == "/")
        #expect(bare.hostHeader == "[::1]:8080")

        #expect(throws: BenchError.self) { try BenchTarget(url: "https://example.invalid/") }
        #expect(throws: BenchError.self) { try BenchTarget(url: "http://:80/") }
    }

    @Test func scenarioListsParse() throws {
        #expect(try BenchScenario.parseList("append, sse") == [.append, .sse])
        #expect(try BenchScenario.parseList("all") == BenchScenario.allCases)
        #expect(throws: BenchError.self) { try BenchScenario.parseList("append,nope") }
    }

    @Test func liveMessagesRoundTripAndSplitBySize() {
        var joined = LiveMessage.make(seq: 7, sentAt: 123_456_789_012)
        joined.writeImmutableBuffer(LiveMessage.make(seq: 8, sentAt: 42))
        #expect(joined.readableBytes == 2 * LiveMessage.size)
        var seen: [(Int, UInt64)] = []
        let malformed = LiveMessage.parse(joined.readableBytesView) { seen.append(($0, $1)) }
        #expect(malformed == 0)
        #expect(seen.map(\.0) == [7, 8])
        #expect(seen.map(\.1) == [123_456_789_012, 42])
        #expect(LiveMessage.parse(ByteBuffer(string: "garbage").readableBytesView) { _, _ in } == 1)
    }

    @Test func sseParserHandlesSplitChunksAndCRLF() {
        var parser = SSEParser()
        var events: [(String, String)] = []
        let text = "event: data\r\ndata: one\ndata:two\n\nevent: control\ndata: {\"streamNextOffset\":\"abc_1\",\"upToDate\":true}\n\n"
        let bytes = Array(text.utf8)
        for piece in stride(from: 0, to: bytes.count, by: 5) {
            parser.feed(ByteBuffer(bytes: bytes[piece..<min(piece + 5, bytes.count)])) { type, data in
                events.append((String(buffer: type), String(buffer: data)))
            }
        }
        #expect(events.map(\.0) == ["data", "control"])
        #expect(events.first?.1 == "one\ntwo")
        #expect(SSEParser.jsonString("streamNextOffset", in: ByteBuffer(string: events[1].1)) == "abc_1")

        // Whole events in one chunk (the common case: lines are slices of it), then an event split mid-line.
        var whole = SSEParser()
        var again: [(String, String)] = []
        whole.feed(ByteBuffer(string: text + "event: data\ndata: par")) { again.append((String(buffer: $0), String(buffer: $1))) }
        #expect(again.map(\.0) == ["data", "control"])
        whole.feed(ByteBuffer(string: "tial\n\n")) { again.append((String(buffer: $0), String(buffer: $1))) }
        #expect(again.map(\.1) == ["one\ntwo", "{\"streamNextOffset\":\"abc_1\",\"upToDate\":true}", "partial"])
    }

    @Test func responseHeadValuesAreFoundCaseInsensitively() {
        let head = ResponseHead(status: 200, rawHeaders: ByteBuffer(string: "Content-Type: text/plain\r\nstream-next-offset:  0_5 \r\nStream-Cursor: 7\r\n"))
        #expect(head.headerValue(Array("stream-next-offset".utf8)).map { String(buffer: $0) } == "0_5")
        #expect(head.header("Stream-Cursor") == "7")
        #expect(head.header("Stream-Up-To-Date") == nil)
    }
}
