@testable import DSServer
import NIOCore
import Testing

/// Generated request ids are written straight into the response without a `String`; the bytes must be the id
/// the request log shows.
struct RequestIDTests {
    @Test func generatedIdsAreWrittenAsTheyAreLoggedAndDiffer() {
        var seen: Set<String> = []
        for _ in 0..<40 {  // crosses hex digit counts (…f → …10)
            let id = RequestID.generate()
            var buffer = ByteBuffer()
            buffer.writeHead(maximumBytes: RequestID.maxWrittenBytes) { id.write(into: &$0) }
            let written = String(buffer: buffer)
            #expect(written == id.description)
            let parts = written.split(separator: "-")
            #expect(parts.count == 2 && parts[0].count == 8)
            #expect(parts.allSatisfy { $0.allSatisfy(\.isHexDigit) && $0.lowercased() == $0 })
            #expect(!parts[1].hasPrefix("0"))
            seen.insert(written)
        }
        #expect(seen.count == 40)
    }

    @Test func clientIdsAreKeptOnlyWhenShortAndPlain() {
        #expect(RequestID(client: "abc-123")?.description == "abc-123")
        var buffer = ByteBuffer()
        buffer.writeHead(maximumBytes: RequestID.maxWrittenBytes) { RequestID(client: "abc-123")?.write(into: &$0) }
        #expect(String(buffer: buffer) == "abc-123")
        let longest = String(repeating: "x", count: 128)
        buffer.clear()
        buffer.writeHead(maximumBytes: RequestID.maxWrittenBytes) { RequestID(client: longest)?.write(into: &$0) }
        #expect(String(buffer: buffer) == longest)
        #expect(RequestID(client: "") == nil)
        #expect(RequestID(client: "has space") == nil)
        #expect(RequestID(client: "line\r\nbreak") == nil)
        #expect(RequestID(client: String(repeating: "x", count: 129)) == nil)
        #expect(RequestID(client: String(repeating: "x", count: 128)) != nil)
    }
}
