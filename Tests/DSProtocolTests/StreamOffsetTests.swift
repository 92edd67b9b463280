import DSProtocol
import NIOCore
import Testing

struct StreamOffsetTests {
    static let samples: [StreamOffset] = [
        .zero,
        StreamOffset(position: 42),
        StreamOffset(position: 1_234_567_890_123),
        StreamOffset(segment: 7, position: 9),
        StreamOffset(segment: StreamOffset.fieldLimit, position: StreamOffset.fieldLimit),
    ]

    @Test(arguments: samples)
    func wireFormRoundTrips(offset: StreamOffset) {
        let text = offset.description
        #expect(text.utf8.count == StreamOffset.encodedLength)
        #expect(StreamOffset(text) == offset)
    }

    /// The byte writer (used for append responses and SSE control events) writes exactly the wire form, after
    /// whatever the buffer already holds.
    @Test(arguments: samples)
    func writingIntoABufferMatchesTheWireForm(offset: StreamOffset) {
        var buffer = ByteBuffer(string: "Stream-Next-Offset: ")
        offset.write(into: &buffer)
        #expect(String(buffer: buffer) == "Stream-Next-Offset: " + offset.description)
    }

    @Test
    func theWireFormOfSmallPositionsIsZeroPadded() {
        var buffer = ByteBuffer()
        StreamOffset(position: 42).write(into: &buffer)
        #expect(String(buffer: buffer) == "0000000000000000_0000000000000042")
    }

    @Test(arguments: ["", "-1", "now", "0000000000000000-0000000000000042", "000000000000000a_0000000000000042", "0_42"])
    func malformedTextIsNotAnOffset(text: String) {
        #expect(StreamOffset(text) == nil)
    }
}
