import DSProtocol
import DSTestSupport
import NIOCore
import NIOHTTP1
import Testing

/// Catch-up reads, offsets and caching (PROTOCOL.md §5.6, §8, §10).
struct ReadAndOffsetTests {
    @Test(arguments: StoreKind.allCases)
    func offsetsAreFixedWidthUrlSafeAndIncreasing(store: StoreKind) async throws {
        try await TestServer.with(store) { (server: TestServer) async throws in
            let path = uniquePath()
            var previous = try #require(try await server.createStream(path).nextOffset)
            for size in [1, 10, 1000, 1] {
                let offset = try #require(try await server.appendText(path, String(repeating: "x", count: size)).nextOffset)
                #expect(offset.count == previous.count)
                #expect(offset > previous)
                #expect(offset != "-1" && offset != "now")
                #expect(offset.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.~".contains($0)) })
                previous = offset
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func readsResumeByteExactlyFromAnyReturnedOffset(store: StoreKind) async throws {
        try await TestServer.with(store) { (server: TestServer) async throws in
            let path = uniquePath()
            try await server.createStream(path, contentType: "application/octet-stream")
            var expected: [UInt8] = []
            var offsets: [String] = ["-1"]
            for index in 0..<20 {
                let bytes = (0..<(index * 7 + 1)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ index) }
                expected += bytes
                let response = try await server.request(.POST, path, headers: [("Content-Type", "application/octet-stream")], body: ByteBuffer(bytes: bytes))
                offsets.append(try #require(response.nextOffset))
            }
            var consumed = 0
            for (index, offset) in offsets.enumerated() {
                let read = try await server.request(.GET, "\(path)?offset=\(offset)")
                #expect(read.bytes == Array(expected[consumed...]), "offset #\(index)")
                if index < offsets.count - 1 {
                    consumed += (index * 7 + 1)
                }
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func chunkedReadsStopAtTheConfiguredLimit(store: StoreKind) async throws {
        try await TestServer.with(store, configure: { $0.readChunkBytes = 100 }) { (server: TestServer) async throws in
            let path = uniquePath()
            let text = String((0..<1050).map { Character(UnicodeScalar(UInt8(97 + $0 % 26))) })
            try await server.createStream(path, body: text)
            var offset = "-1"
            var collected = ""
            var reads = 0
            while true {
                let read = try await server.request(.GET, "\(path)?offset=\(offset)")
                reads += 1
                collected += read.text
                offset = try #require(read.nextOffset)
                if read.header("Stream-Up-To-Date") == "true" { break }
                #expect(read.body.readableBytes == 100)
                #expect(reads < 20)
            }
            #expect(collected == text)
            #expect(reads == 11)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func closedOnlyWhenTheReadReachesTheTailOfAClosedStream(store: StoreKind) async throws {
        try await TestServer.with(store, configure: { $0.readChunkBytes = 4 }) { (server: TestServer) async throws in
            let path = uniquePath()
            try await server.request(.PUT, path, headers: [("Content-Type", "text/plain"), ("Stream-Closed", "true")], text: "abcdefgh")
            let first = try await server.request(.GET, path)
            #expect(first.text == "abcd")
            #expect(first.header("Stream-Closed") == nil)
            #expect(first.header("Stream-Up-To-Date") == nil)
            let second = try await server.request(.GET, "\(path)?offset=\(first.nextOffset!)")
            #expect(second.text == "efgh")
            #expect(second.header("Stream-Closed") == "true")
            #expect(second.header("Stream-Up-To-Date") == "true")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func malformedAndUnknownOffsetsAreRejected(store: StoreKind) async throws {
        try await TestServer.with(store) { (server: TestServer) async throws in
            let path = uniquePath()
            try await server.createStream(path, body: "abc")
            for bad in ["abc", "-2", "0", "0000000000000000-0000000000000001", "0000000000000000_000000000000001", "%00", "NOW"] {
                let response = try await server.request(.GET, "\(path)?offset=\(bad)")
                #expect(response.status == .badRequest, "offset=\(bad)")
            }
            let beyond = try await server.request(.GET, "\(path)?offset=0000000000000000_0000000000009999")
            #expect(beyond.status == .badRequest)
            #expect(try await server.request(.GET, "\(path)?offset=-1&live=forever").status == .badRequest)
            #expect(try await server.request(.GET, "\(path)?live=long-poll").status == .badRequest)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func offsetNowSkipsExistingDataAndIsNeverCached(store: StoreKind) async throws {
        try await TestServer.with(store) { (server: TestServer) async throws in
            let path = uniquePath()
            let created = try await server.createStream(path, body: "old")
            let read = try await server.request(.GET, "\(path)?offset=now")
            #expect(read.status == .ok)
            #expect(read.body.readableBytes == 0)
            #expect(read.nextOffset == created.nextOffset)
            #expect(read.header("Stream-Up-To-Date") == "true")
            #expect(read.header("Cache-Control") == "no-store")
            #expect(read.header("ETag") == nil)
            let json = uniquePath()
            try await server.createStream(json, contentType: "application/json", body: "[1,2]")
            #expect(try await server.request(.GET, "\(json)?offset=now").text == "[]")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func etagsRevalidateAndChangeOnClosure(store: StoreKind) async throws {
        try await TestServer.with(store) { (server: TestServer) async throws in
            let path = uniquePath()
            try await server.createStream(path, body: "abc")
            let first = try await server.request(.GET, path)
            let etag = try #require(first.header("ETag"))
            #expect(first.header("Cache-Control") == "public, max-age=60, stale-while-revalidate=300")
            let again = try await server.request(.GET, path, headers: [("If-None-Match", etag)])
            #expect(again.status == .notModified)
            #expect(again.body.readableBytes == 0)
            #expect(again.header("ETag") == etag)
            // Closing without new data must change the tag so the closure is not hidden by a 304.
            try await server.request(.POST, path, headers: [("Stream-Closed", "true")])
            let afterClose = try await server.request(.GET, path, headers: [("If-None-Match", etag)])
            #expect(afterClose.status == .ok)
            #expect(afterClose.header("ETag") != etag)
            #expect(afterClose.header("Stream-Closed") == "true")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func emptyReadAtTheTailOfAnOpenStreamIsRevalidated(store: StoreKind) async throws {
        try await TestServer.with(store) { (server: TestServer) async throws in
            let path = uniquePath()
            let created = try await server.createStream(path, body: "x")
            let tail = try await server.request(.GET, "\(path)?offset=\(created.nextOffset!)")
            #expect(tail.status == .ok)
            #expect(tail.header("Cache-Control") == "no-cache")
            #expect(tail.header("Stream-Up-To-Date") == "true")
        }
    }

    /// A cached chunk must not outlive its stream: `max-age` is capped by the time left until `Stream-Expires-At`.
    @Test(arguments: StoreKind.allCases)
    func cachingNeverOutlivesAnAbsoluteExpiry(store: StoreKind) async throws {
        let clock = ManualStoreClock()
        try await TestServer.with(store, configure: {
            $0.useManualClock(clock)
        }) { (server: TestServer) async throws in
            let path = uniquePath()
            let expiresAt = RFC3339.format(milliseconds: clock.now.milliseconds + 30_500)
            try await server.createStream(path, headers: [("Stream-Expires-At", expiresAt)], body: "x")
            #expect(try await server.request(.GET, path).header("Cache-Control") == "public, max-age=30, stale-while-revalidate=300")
            clock.advance(milliseconds: 30_000)
            #expect(try await server.request(.GET, path).header("Cache-Control") == "public, max-age=0, stale-while-revalidate=300")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func privateCachingCanBeConfigured(store: StoreKind) async throws {
        try await TestServer.with(store, configure: { $0.publicCaching = false }) { (server: TestServer) async throws in
            let path = uniquePath()
            try await server.createStream(path, body: "x")
            #expect((try await server.request(.GET, path)).header("Cache-Control") == "private, max-age=60, stale-while-revalidate=300")
        }
    }
}
