import NIOCore
import Testing

@testable import DSClient

struct SSEEventParserTests {
    /// Feeds `text` split at every position in `cuts` and returns the events as (type, data) pairs.
    static func parse(_ text: String, cuts: [Int] = []) -> [[String]] {
        var parser = SSEEventParser()
        let bytes = Array(text.utf8)
        var events: [SSEEvent] = []
        var start = 0
        for cut in cuts + [bytes.count] where cut >= start {
            events += parser.feed(ByteBuffer(bytes: bytes[start..<cut]))
            start = cut
        }
        return events.map { [$0.type, String(buffer: $0.data)] }
    }

    @Test func linesEndAtCRLFOrCRLFEvenAcrossReads() {
        let text = "event: data\r\ndata: a\rdata:b\n\r\nevent: control\ndata: {}\n\n"
        let expected = [["data", "a\nb"], ["control", "{}"]]
        #expect(Self.parse(text) == expected)
        // Every single split point, including between the CR and LF of a CRLF.
        for cut in 0...text.utf8.count {
            #expect(Self.parse(text, cuts: [cut]) == expected, "split at \(cut)")
        }
        // One byte at a time.
        #expect(Self.parse(text, cuts: Array(0...text.utf8.count)) == expected)
    }

    @Test func commentsUnknownFieldsAndEmptyEventsAreIgnored() {
        let text = ": keep-alive\nid: 7\nretry: 10\n\nevent: control\n\ndata\n\nevent: x\ndata: 1\ndata:  2\n\n"
        #expect(Self.parse(text) == [["message", ""], ["x", "1\n 2"]])
    }

    @Test func aLeadingByteOrderMarkIsSkippedAndAnUnfinishedEventIsNotDispatched() {
        #expect(Self.parse("\u{FEFF}data: a\n\ndata: b\n") == [["message", "a"]])
    }
}
