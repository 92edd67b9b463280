import DSProtocol
import NIOCore
import Testing

@Suite("Stream entity tags")
struct StreamETagTests {
    @Test("the tag written through a pointer is the tag made as a string", arguments: [
        (UInt64(0), false), (UInt64(7), true), (UInt64(10), false), (UInt64(4_096), true), (UInt64.max, false),
    ])
    func writtenTagMatchesMadeTag(streamID: UInt64, closed: Bool) {
        let start = StreamOffset(segment: 0, position: 17)
        let end = StreamOffset(segment: 3, position: 12_345_678)
        var buffer = ByteBuffer()
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: StreamETag.maxEncodedLength) { raw in
            StreamETag.write(streamID: streamID, start: start, end: end, closed: closed, to: raw)
        }
        let made = StreamETag.make(streamID: streamID, start: start, end: end, closed: closed)
        #expect(buffer.readString(length: buffer.readableBytes) == made)
        #expect(made.hasPrefix("\"\(streamID):") && made.hasSuffix(closed ? ":c\"" : "\""))
    }

    @Test("If-None-Match matches the tag in a list, as a wildcard and with a weak prefix")
    func ifNoneMatchForms() {
        let tag = StreamETag.make(streamID: 1, start: StreamOffset(segment: 0, position: 0), end: StreamOffset(segment: 0, position: 5), closed: false)
        #expect(StreamETag.ifNoneMatch(tag, matches: tag))
        #expect(StreamETag.ifNoneMatch("\"other\", \(tag)", matches: tag))
        #expect(StreamETag.ifNoneMatch("W/\(tag)", matches: tag))
        #expect(StreamETag.ifNoneMatch("*", matches: tag))
        #expect(!StreamETag.ifNoneMatch("\"other\"", matches: tag))
    }
}
