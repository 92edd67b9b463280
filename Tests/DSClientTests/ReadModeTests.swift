import DSClient
import DSTestSupport
import Foundation
import NIOCore
import Testing

/// Every read mode, on text, binary and JSON streams, returns exactly what was written and ends at EOF.
struct ReadModeTests {
    static let modes: [ReadMode] = [.catchUp, .longPoll, .sse, .auto]
    static let contentTypes = ["text/plain", "application/octet-stream", "application/json"]

    /// Writes `count` appends to a stream of `contentType`, returning what a reader must see.
    static func writeSome(_ stream: DurableStream, contentType: String, count: Int, from start: Int = 0) async throws -> [UInt8] {
        var expected: [UInt8] = []
        for index in start..<(start + count) {
            if contentType == "application/json" {
                try await stream.append(json: ["n": index])
            } else if contentType == "text/plain" {
                let line = "line \(index)\n"
                try await stream.append(line)
                expected += Array(line.utf8)
            } else {
                let bytes = patternBytes(count: 97, seed: UInt64(index + 1))
                try await stream.append(bytes)
                expected += bytes
            }
        }
        return expected
    }

    /// What a reader saw: raw bytes for byte streams, the `n` of each message for JSON streams.
    static func received(_ chunks: [StreamChunk], contentType: String) throws -> [Int] {
        if contentType == "application/json" {
            return try chunks.flatMap { try $0.jsonMessages() }.map { message in
                let object = try JSONSerialization.jsonObject(with: Data(message.readableBytesView)) as? [String: Int]
                return object?["n"] ?? -1
            }
        }
        return joinedBytes(chunks).map(Int.init)
    }

    @Test(arguments: modes, contentTypes)
    func readsEverythingAndEndsAtEOF(mode: ReadMode, contentType: String) async throws {
        try await TestServer.with { server in
            let stream = server.stream()
            try await stream.create(contentType: contentType)
            var expected = try await Self.writeSome(stream, contentType: contentType, count: 5)
            var chunks: [StreamChunk] = []
            if mode == .catchUp {
                // Catch-up stops when up to date; closing first makes it end at EOF.
                expected += try await Self.writeSome(stream, contentType: contentType, count: 5, from: 5)
                try await stream.close()
                chunks = try await withTimeout { try await collect(stream.read(mode: mode)) }
            } else {
                // Live readers catch up, then see appends made while they wait, then the close.
                let reader = BackgroundReader(stream.read(mode: mode))
                defer { reader.cancel() }
                let (seen, more) = try await withTimeout(20, "\(mode) read of \(contentType)") {
                    var iterator = reader.chunks.makeAsyncIterator()
                    var seen: [StreamChunk] = []
                    while let chunk = await iterator.next() {
                        seen.append(chunk)
                        if chunk.upToDate { break }
                    }
                    let more = try await Self.writeSome(stream, contentType: contentType, count: 5, from: 5)
                    try await stream.close()
                    while let chunk = await iterator.next() { seen.append(chunk) }
                    #expect(await reader.task.value == nil)
                    return (seen, more)
                }
                chunks = seen
                expected += more
            }
            let last = try #require(chunks.last)
            #expect(last.closed)
            #expect(last.upToDate)
            #expect(chunks.dropLast().allSatisfy { !$0.closed })
            let got = try Self.received(chunks, contentType: contentType)
            if contentType == "application/json" {
                #expect(got == Array(0..<10))
            } else {
                #expect(got == expected.map(Int.init))
            }
            #expect(last.offset == (try await stream.head().nextOffset))
        }
    }

    @Test(arguments: modes)
    func resumesFromAnyOffset(mode: ReadMode) async throws {
        try await TestServer.with { server in
            let stream = server.stream()
            try await stream.create(contentType: "text/plain")
            var offsets: [Offset] = [.beginning]
            for index in 0..<6 {
                offsets.append(try #require(try await stream.append("piece-\(index);").nextOffset))
            }
            try await stream.close()
            for (index, offset) in offsets.enumerated() {
                let chunks = try await withTimeout(20, "read from offset \(index)") {
                    try await collect(stream.read(from: offset, mode: mode))
                }
                let expected = (index..<6).map { "piece-\($0);" }.joined()
                #expect(String(decoding: joinedBytes(chunks), as: UTF8.self) == expected)
                #expect(chunks.last?.closed == true)
            }
        }
    }

    @Test(arguments: modes)
    func messagesResumeFromEveryResumeOffset(mode: ReadMode) async throws {
        // Small server reads, so the messages arrive over several responses, each ending with a resume offset.
        try await TestServer.with(configure: { $0.readChunkBytes = 64 }) { server in
            let stream = server.stream()
            try await stream.create(contentType: "application/json")
            for index in 0..<12 { try await stream.append(json: ["n": index, "pad": 1_000_000 + index]) }
            try await stream.close()
            let (seen, resumePoints) = try await withTimeout(20, "\(mode) messages") {
                var seen: [Int] = []
                var resumePoints: [ResumePoint] = []
                for try await message in stream.messages(as: [String: Int].self, mode: mode) {
                    seen.append(message.value["n"] ?? -1)
                    if let offset = message.resumeOffset { resumePoints.append(ResumePoint(next: seen.count, offset: offset)) }
                }
                return (seen, resumePoints)
            }
            #expect(seen == Array(0..<12))
            #expect(resumePoints.count > 2, "the messages came in too few responses to test resumption")
            #expect(resumePoints.last?.next == 12)
            for point in resumePoints {
                let rest = try await withTimeout(20, "\(mode) messages from \(point.offset)") {
                    var values: [Int] = []
                    for try await message in stream.messages(as: [String: Int].self, from: point.offset, mode: mode) {
                        values.append(message.value["n"] ?? -1)
                    }
                    return values
                }
                #expect(rest == Array(point.next..<12))
            }
        }
    }

    @Test func catchUpStopsWhenUpToDateOnAnOpenStream() async throws {
        try await TestServer.with { server in
            let stream = server.stream()
            try await stream.create(contentType: "text/plain", initialData: StreamBody(text: "abc"))
            let chunks = try await withTimeout { try await collect(stream.read(mode: .catchUp)) }
            #expect(String(decoding: joinedBytes(chunks), as: UTF8.self) == "abc")
            #expect(chunks.last?.upToDate == true)
            #expect(chunks.last?.closed == false)

            // An empty stream reports being up to date once, with no data.
            let empty = server.stream()
            try await empty.create(contentType: "text/plain")
            let emptyChunks = try await withTimeout { try await collect(empty.read(mode: .catchUp)) }
            #expect(emptyChunks.count == 1)
            #expect(emptyChunks.first?.isEmpty == true)
            #expect(emptyChunks.first?.upToDate == true)
        }
    }

    @Test(arguments: [ReadMode.longPoll, .sse])
    func readingFromNowSkipsExistingData(mode: ReadMode) async throws {
        // A long-poll from `now` waits on the server before its first answer; a short server timeout makes
        // that first answer (204, up to date) come quickly.
        try await TestServer.with(configure: { $0.longPollTimeout = .milliseconds(200) }) { server in
            let stream = server.stream()
            try await stream.create(contentType: "text/plain", initialData: StreamBody(text: "old"))
            let reader = BackgroundReader(stream.read(from: .now, mode: mode))
            defer { reader.cancel() }
            try await withTimeout(20, "\(mode) read from now") {
                var chunks = reader.chunks.makeAsyncIterator()
                // The first report is "up to date at the tail", with no data.
                let first = await chunks.next()
                #expect(first?.isEmpty == true)
                #expect(first?.upToDate == true)
                try await stream.append("new")
                try await stream.close()
                var text = ""
                while let chunk = await chunks.next() { text += chunk.text }
                #expect(text == "new")
                #expect(await reader.task.value == nil)
            }
        }
    }

    @Test func binarySSEIsDecodedFromBase64ByteExact() async throws {
        try await TestServer.with { server in
            let stream = server.stream()
            try await stream.create(contentType: "application/octet-stream")
            let all = Array(0...255).map(UInt8.init) + patternBytes(count: 70_000, seed: 42)
            try await stream.append(all)
            try await stream.close()
            let chunks = try await withTimeout { try await collect(stream.read(mode: .sse)) }
            #expect(joinedBytes(chunks) == all)
            #expect(chunks.last?.closed == true)
        }
    }

    @Test func largeCompressibleCatchUpReadsAreGzippedAndExact() async throws {
        try await TestServer.with { server in
            let proxy = try await FaultProxy.start(targetPort: server.port)
            defer { Task { try? await proxy.stop() } }
            let path = uniquePath("gzip")
            let writer = DurableStream(url: server.url(path))
            try await writer.create(contentType: "text/plain")
            // Very repetitive text compresses far beyond 200:1.
            let block = String(repeating: "a", count: 512 * 1024)
            for _ in 0..<4 { try await writer.append(block) }
            try await writer.close()
            let reader = DurableStream(url: proxy.url(server.url(path)))
            let chunks = try await withTimeout { try await collect(reader.read(mode: .catchUp)) }
            #expect(joinedBytes(chunks).count == 4 * block.utf8.count)
            #expect(joinedBytes(chunks).allSatisfy { $0 == UInt8(ascii: "a") })
            #expect(chunks.last?.closed == true)
            #expect(proxy.requestHeads.allSatisfy { $0.lowercased().contains("\r\naccept-encoding: gzip") })
        }
    }

    @Test func readingAMissingStreamFailsWithNotFound() async throws {
        try await TestServer.with { server in
            for mode in Self.modes {
                let stream = server.stream()
                await #expect {
                    try await withTimeout { try await collect(stream.read(mode: mode)) }
                } throws: { ($0 as? DurableStreamError)?.code == .notFound }
            }
        }
    }
}

/// Where a message reader may resume: the index of the next message, and the offset saved before it.
struct ResumePoint: Sendable {
    var next: Int
    var offset: Offset
}
