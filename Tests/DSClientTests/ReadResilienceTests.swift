import DSClient
import DSServer
import DSTestSupport
import Foundation
import NIOCore
import Synchronization
import Testing

/// Readers survive broken connections and server restarts without losing or repeating a byte.
struct ReadResilienceTests {
    /// Quick retries so tests with many forced failures stay fast.
    static let quickRetry = RetryPolicy(initialDelay: .milliseconds(1), maxDelay: .milliseconds(20))

    /// Small reads, short SSE connections and long-polls: many responses, many reconnects.
    static func churn(_ options: inout ServerOptions) {
        options.readChunkBytes = 400
        options.sseConnectionLifetime = .milliseconds(150)
        options.longPollTimeout = .milliseconds(150)
    }

    /// A connection-specific response byte budget, so cuts land at varied places (mid-header, mid-body,
    /// mid-event); the sequence is fixed so failures reproduce.
    static func budget(_ connection: Int) -> Int? {
        150 + (connection &* 7_919) % 2_600
    }

    static let cases: [(ReadMode, String)] = [
        (.catchUp, "application/octet-stream"),
        (.longPoll, "application/octet-stream"),
        (.sse, "application/octet-stream"),
        (.sse, "text/plain"),
        (.auto, "text/plain"),
        (.auto, "application/json"),
    ]

    @Test(arguments: cases)
    func resumptionIsByteExactAcrossCutConnections(mode: ReadMode, contentType: String) async throws {
        try await TestServer.with(configure: Self.churn) { server in
            let proxy = try await FaultProxy.start(targetPort: server.port)
            defer { Task { try? await proxy.stop() } }
            let path = uniquePath("resilience")
            let writer = DurableStream(url: server.url(path))
            try await writer.create(contentType: contentType)

            let expected = ExpectedBytes()
            @Sendable func write(_ range: Range<Int>) async throws {
                for index in range {
                    let piece: [UInt8]
                    switch contentType {
                    case "application/json": piece = Array("{\"n\":\(index),\"pad\":\"\(String(repeating: "x", count: 60))\"}".utf8)
                    case "text/plain": piece = Array("line \(index) \(String(repeating: "abcdefgh", count: 25))\n".utf8)
                    default: piece = patternBytes(count: 233, seed: UInt64(index + 7))
                    }
                    if contentType == "application/json" {
                        try await writer.append(StreamBody.jsonMessages([ByteBuffer(bytes: piece)]))
                    } else {
                        try await writer.append(piece)
                    }
                    expected.append(piece)
                }
            }

            try await write(0..<30)
            proxy.limitResponseBytes(Self.budget)
            let reader = DurableStream(url: proxy.url(server.url(path)), configuration: ClientConfiguration(retry: Self.quickRetry))
            let chunks: [StreamChunk]
            if mode == .catchUp {
                try await write(30..<60)
                try await writer.close()
                chunks = try await withTimeout(60, "catch-up through a faulty proxy") { try await collect(reader.read(mode: mode)) }
            } else {
                let background = BackgroundReader(reader.read(mode: mode))
                defer { background.cancel() }
                chunks = try await withTimeout(60, "\(mode) read through a faulty proxy") {
                    var iterator = background.chunks.makeAsyncIterator()
                    var seen: [StreamChunk] = []
                    while let chunk = await iterator.next() {
                        seen.append(chunk)
                        if chunk.upToDate { break }
                    }
                    try await write(30..<60)
                    try await writer.close()
                    while let chunk = await iterator.next() { seen.append(chunk) }
                    return seen
                }
                #expect(await background.task.value == nil)
            }
            #expect(proxy.cutConnections > 0, "the proxy never cut a connection, so nothing was tested")
            #expect(chunks.last?.closed == true)
            if contentType == "application/json" {
                let messages = try chunks.flatMap { try $0.jsonMessages() }.map { Array($0.readableBytesView) }
                #expect(messages.count == 60)
                #expect(messages.flatMap { $0 } == expected.bytes)
            } else {
                #expect(joinedBytes(chunks) == expected.bytes)
            }
        }
    }
}

extension ReadResilienceTests {
    @Test(arguments: [ReadMode.longPoll, .sse])
    func readerSurvivesAServerRestartOnTheSamePort(mode: ReadMode) async throws {
        let first = try await TestServer.start()
        let port = first.port
        let store = first.store
        let path = uniquePath("restart")
        let writer = DurableStream(url: first.url(path))
        try await writer.create(contentType: "text/plain", initialData: StreamBody(text: "before;"))
        let reader = BackgroundReader(
            DurableStream(url: first.url(path), configuration: ClientConfiguration(retry: Self.quickRetry)).read(mode: mode)
        )
        defer { reader.cancel() }
        var second: TestServer?
        do {
            let text = try await withTimeout(60, "\(mode) read across a server restart") {
                var iterator = reader.chunks.makeAsyncIterator()
                var text = ""
                while let chunk = await iterator.next() {
                    text += chunk.text
                    if chunk.upToDate { break }
                }
                try await first.stop()
                // The same store behind a new server on the same port: the reader reconnects to it.
                let restarted = try await TestServer.start(configure: {
                    $0.port = port
                    $0.store = store
                })
                let writer = DurableStream(url: restarted.url(path))
                try await writer.append("after;")
                try await writer.close()
                while let chunk = await iterator.next() { text += chunk.text }
                return (text, restarted)
            }
            second = text.1
            #expect(text.0 == "before;after;")
            #expect(await reader.task.value == nil)
        } catch {
            try? await first.stop()
            try? await second?.stop()
            throw error
        }
        try await second?.stop()
    }

    @Test(arguments: [ReadMode.longPoll, .sse, .auto])
    func everyRequestCarriesTheConfiguredHeadersIncludingReconnects(mode: ReadMode) async throws {
        try await TestServer.with(configure: Self.churn) { server in
            let proxy = try await FaultProxy.start(targetPort: server.port)
            defer { Task { try? await proxy.stop() } }
            let path = uniquePath("headers")
            let writer = DurableStream(url: server.url(path))
            try await writer.create(contentType: "text/plain")
            for index in 0..<20 { try await writer.append("line \(index) \(String(repeating: "z", count: 100))\n") }
            try await writer.close()
            proxy.limitResponseBytes(Self.budget)

            let counter = Counter()
            let configuration = ConfiguredHeaders.configuration(counter: counter, retry: Self.quickRetry)
            let reader = DurableStream(url: proxy.url(server.url(path)), configuration: configuration)
            let chunks = try await withTimeout(60, "\(mode) read") { try await collect(reader.read(mode: mode)) }
            #expect(chunks.last?.closed == true)

            let heads = proxy.requestHeads
            #expect(heads.count > 1)
            #expect(proxy.cutConnections > 0)
            ConfiguredHeaders.expectInEvery(heads)
        }
    }

    @Test(arguments: [ReadMode.longPoll, .sse, .auto])
    func liveReadsEchoTheServerCursor(mode: ReadMode) async throws {
        try await TestServer.with(configure: Self.churn) { server in
            let proxy = try await FaultProxy.start(targetPort: server.port)
            defer { Task { try? await proxy.stop() } }
            let path = uniquePath("cursor")
            let writer = DurableStream(url: server.url(path))
            try await writer.create(contentType: "text/plain")
            let reader = BackgroundReader(
                DurableStream(url: proxy.url(server.url(path)), configuration: ClientConfiguration(retry: Self.quickRetry)).read(mode: mode)
            )
            defer { reader.cancel() }
            try await withTimeout(30, "\(mode) read") {
                var iterator = reader.chunks.makeAsyncIterator()
                var cuts = 0
                // Auto mode skips the first cut (below) and may reconnect through a catch-up read after the last
                // one: one append more, so it too makes four cuts, each of an open live read.
                for index in 0..<(mode == .auto ? 5 : 4) {
                    // Wait until the reader is up to date, so each append needs a new live response, and cut its
                    // connection, so it must reconnect (an SSE connection may otherwise outlive the test).
                    while let chunk = await iterator.next(), !chunk.upToDate {}
                    // Auto mode is first up to date from its catch-up read, which carries no cursor: a cut then can
                    // beat the live response that brings one. Its first append arrives over that live read instead.
                    if mode != .auto || index > 0 {
                        // Cut a live read, not a catch-up read made on reconnecting: one live request since the last cut.
                        while proxy.requestHeads.filter({ $0.contains("live=") }).count <= cuts {
                            try await Task.sleep(for: .milliseconds(5))
                        }
                        proxy.cutAll()
                        cuts += 1
                    }
                    try await writer.append("x\(index)")
                }
                try await writer.close()
                while await iterator.next() != nil {}
            }
            let live = proxy.requestHeads.map { $0.prefix { $0 != "\r\n" } }.filter { $0.contains("live=") }
            // Every cut was of a live read, and long-poll and SSE reconnect with one; auto mode learned it was up to
            // date from its catch-up read before its first live request.
            #expect(live.count >= (mode == .auto ? 4 : 5))
            #expect(!live[0].contains("cursor="))
            for line in live.dropFirst() {
                #expect(line.contains("cursor="), "no cursor echoed: \(line)")
            }
        }
    }

    @Test(arguments: [ReadMode.longPoll, .sse, .auto])
    func cancellationStopsAWaitingReaderCleanly(mode: ReadMode) async throws {
        try await TestServer.with { server in
            let proxy = try await FaultProxy.start(targetPort: server.port)
            defer { Task { try? await proxy.stop() } }
            let path = uniquePath("cancel")
            try await DurableStream(url: server.url(path)).create(contentType: "text/plain", initialData: StreamBody(text: "x"))
            let stream = DurableStream(url: proxy.url(server.url(path)))
            let reader = BackgroundReader(stream.read(mode: mode))
            try await withTimeout(20, "\(mode) reader ending after cancellation") {
                var iterator = reader.chunks.makeAsyncIterator()
                while let chunk = await iterator.next(), !chunk.upToDate {}
                // The reader now waits on the server for data that never comes.
                reader.cancel()
                while await iterator.next() != nil {}
                #expect(await reader.task.value == nil)
                // The live request's connection is closed; auto mode may keep its idle catch-up connection.
                await proxy.waitForOpenConnections(atMost: mode == .auto ? 1 : 0)
            }
        }
    }
}

/// A thread-safe counter.
final class Counter: Sendable {
    private let value = Mutex(0)

    func next() -> Int {
        value.withLock {
            $0 += 1
            return $0
        }
    }

    var current: Int { value.withLock { $0 } }
}
