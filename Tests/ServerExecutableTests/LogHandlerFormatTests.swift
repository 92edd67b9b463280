import Foundation
import Logging
import Synchronization
import Testing

@testable import durable_streams_server

/// Our text handler prints exactly what swift-log's `StreamLogHandler` prints; the JSON handler keeps its format.
struct LogHandlerFormatTests {
    /// A `TextOutputStream` keeping what `StreamLogHandler` writes.
    struct CapturingStream: TextOutputStream, Sendable {
        final class Box: Sendable { let text = Mutex("") }
        let box = Box()
        func write(_ string: String) { box.text.withLock { $0 += string } }
        func take() -> String { box.text.withLock { text in defer { text = "" }; return text } }
    }

    struct SampleError: Error, CustomStringConvertible {
        var description: String { "disk on fire" }
    }

    private static let provider = Logger.MetadataProvider { ["provided": "yes", "shared": "from-provider"] }

    private static let events: [LogEvent] = [
        LogEvent(
            level: .info, message: "request",
            metadata: [
                "method": "PUT", "path": "/v1/stream/a b", "status": .stringConvertible(201), "bytes_in": .stringConvertible(3),
                "duration_ms": "0.125", "shared": "from-event", "list": ["a", .stringConvertible(2)], "map": ["k": "v"],
                "client_gone": "true", "Upper": "sorts first",
            ],
            source: "DSServer", file: "DSServer/Operations/RequestObservation.swift", function: "f", line: 1
        ),
        LogEvent(level: .warning, message: "no metadata of its own", metadata: nil, source: nil, file: "durable_streams_server/X.swift", function: "f", line: 2),
        LogEvent(
            level: .error, message: "failed", error: SampleError(), metadata: ["groupCommits": .stringConvertible(12)],
            source: "DSFileStore", file: "DSFileStore/Writer.swift", function: "f", line: 3
        ),
    ]

    @Test(arguments: ["durable-streams.access", ""], [true, false])
    func textLinesMatchStreamLogHandler(label: String, withMetadata: Bool) {
        let capture = CapturingStream()
        var stream = StreamLogHandler(label: label, stream: capture, metadataProvider: withMetadata ? Self.provider : nil)
        var ours = LineLogHandler(label: label, level: .trace, format: .text, metadataProvider: withMetadata ? Self.provider : nil)
        if withMetadata {
            stream.metadata = ["base": "1", "shared": "from-handler"]
            ours.metadata = ["base": "1", "shared": "from-handler"]
        }
        for event in Self.events {
            // The timestamp has one-second resolution: retry until both reference lines fall in the same second.
            var matched = false
            for _ in 0..<10 where !matched {
                stream.log(event: event)
                let before = capture.take()
                let line = String(decoding: ours.line(for: event), as: UTF8.self)
                stream.log(event: event)
                let after = capture.take()
                guard before == after else { continue }
                #expect(line == before)
                matched = true
            }
            #expect(matched)
        }
    }

    @Test func textTimestampIsLocalTimeWithOffset() {
        let text = String(decoding: LocalTimestamp.format(0), as: UTF8.self)
        // 1970-01-01T00:00:00+0000 in UTC; other zones shift it, the shape stays.
        #expect(text.count == 24)
        #expect(text.hasPrefix("19"))
        #expect(text.dropFirst(19).first == "+" || text.dropFirst(19).first == "-")
    }

    @Test func jsonLinesKeepTheirFormat() throws {
        var handler = LineLogHandler(label: "durable-streams.access", level: .info, format: .json)
        handler.metadata = ["base": "1"]
        let event = LogEvent(
            level: .error, message: "request \"quoted\"",
            metadata: ["status": .stringConvertible(500), "path": "/v1/stream/a", "ok": .stringConvertible(true), "ts": "ignored"],
            source: "DSServer", file: "DSServer/X.swift", function: "f", line: 7
        )
        let line = String(decoding: handler.line(for: event), as: UTF8.self)
        let timestamp = try #require(line.firstRange(of: #"","level""#)).lowerBound
        #expect(line.hasPrefix(#"{"ts":""#))
        #expect(line[timestamp...] == #"","level":"error","label":"durable-streams.access","msg":"request \"quoted\"","base":"1","ok":true,"path":"/v1/stream/a","status":500,"source":"DSServer/X.swift:7"}"# + "\n")
    }
}
