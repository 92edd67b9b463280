import DSClient
import DSServer
import DSTestSupport
import Foundation
import NIOCore
import Testing

struct StreamLifecycleTests {
    @Test func createHeadAppendReadCloseDelete() async throws {
        try await TestServer.with { server in
            let stream = server.stream()
            let created = try await stream.create(contentType: "text/plain", initialData: StreamBody(text: "hello "))
            #expect(created.created)
            #expect(created.contentType == "text/plain")
            #expect(!created.closed)

            let again = try await stream.create(contentType: "text/plain")
            #expect(!again.created)

            let appended = try await stream.append("world")
            #expect(appended.nextOffset != nil)
            #expect(!appended.closed)

            let metadata = try await stream.head()
            #expect(metadata.contentType == "text/plain")
            #expect(metadata.nextOffset == appended.nextOffset)
            #expect(!metadata.closed)

            let all = try await stream.readAll()
            #expect(String(buffer: all.data) == "hello world")
            #expect(all.offset == appended.nextOffset)
            #expect(!all.closed)

            let closed = try await stream.close(final: StreamBody(text: "!"))
            #expect(closed.closed)
            #expect(try await stream.head().closed)
            let final = try await stream.readAll()
            #expect(String(buffer: final.data) == "hello world!")
            #expect(final.closed)

            // Closing again is idempotent.
            #expect(try await stream.close().closed)

            try await stream.delete()
            await #expect { try await stream.head() } throws: { ($0 as? DurableStreamError)?.code == .notFound }
        }
    }

    @Test func createWithTTLExpiresAtAndClosed() async throws {
        try await TestServer.with { server in
            let ttl = server.stream()
            try await ttl.create(contentType: "text/plain", expiration: .ttl(seconds: 3600))
            #expect(try await ttl.head().ttlSeconds == 3600)

            let expiring = server.stream()
            let deadline = Date(timeIntervalSince1970: 4_102_444_800)  // 2100-01-01T00:00:00Z
            try await expiring.create(contentType: "text/plain", expiration: .expiresAt(deadline))
            let expiresAt = try await expiring.head().expiresAt
            #expect(expiresAt?.hasPrefix("2100-01-01T00:00:00") == true)

            let done = server.stream()
            let created = try await done.create(contentType: "text/plain", closed: true, initialData: StreamBody(text: "all"))
            #expect(created.closed)
            let read = try await done.readAll()
            #expect(String(buffer: read.data) == "all")
            #expect(read.closed)
        }
    }

    @Test func jsonAppendsStoreEachValueAsOneMessage() async throws {
        struct Event: Codable, Equatable, Sendable {
            var kind: String
            var n: Int
        }
        try await TestServer.with { server in
            let stream = server.stream()
            try await stream.create(contentType: "application/json")
            try await stream.append(json: Event(kind: "a", n: 1))
            try await stream.appendJSON([Event(kind: "b", n: 2), Event(kind: "c", n: 3)])

            var events: [Event] = []
            for try await message in stream.messages(as: Event.self, mode: .catchUp) { events.append(message.value) }
            #expect(events == [Event(kind: "a", n: 1), Event(kind: "b", n: 2), Event(kind: "c", n: 3)])

            // An array value stays one message: JSON values are always sent wrapped in an array.
            let arrays = server.stream()
            try await arrays.create(contentType: "application/json")
            try await arrays.append(json: [1, 2, 3])
            try await arrays.appendJSON([[4], [5, 6]])
            var values: [[Int]] = []
            for try await message in arrays.messages(as: [Int].self, mode: .catchUp) { values.append(message.value) }
            #expect(values == [[1, 2, 3], [4], [5, 6]])
        }
    }

    @Test func errorsCarryStatusAndProtocolHeaders() async throws {
        try await TestServer.with { server in
            let missing = server.stream()
            await #expect { try await missing.append("x") } throws: { error in
                guard let error = error as? DurableStreamError else { return false }
                return error.code == .notFound && error.status == 404
            }

            let stream = server.stream()
            try await stream.create(contentType: "text/plain")
            // A different configuration is a conflict with the server's reason.
            await #expect { try await stream.create(contentType: "application/json") } throws: { error in
                guard let error = error as? DurableStreamError else { return false }
                return error.code == .conflict && error.status == 409 && error.message.contains("configuration")
            }
            // A content-type mismatch on append is a conflict too.
            await #expect {
                try await stream.append(StreamBody(text: "{}"), contentType: "application/json")
            } throws: { ($0 as? DurableStreamError)?.code == .conflict }
            // Stream-Seq regressions are conflicts.
            try await stream.append("a", seq: "0002")
            await #expect { try await stream.append("b", seq: "0001") } throws: { ($0 as? DurableStreamError)?.code == .conflict }

            let tail = try await stream.close()
            await #expect { try await stream.append("late") } throws: { error in
                guard let error = error as? DurableStreamError else { return false }
                return error.code == .streamClosed && error.finalOffset == tail.nextOffset
            }

            await #expect { try await stream.append(StreamBody(ByteBuffer())) } throws: {
                ($0 as? DurableStreamError)?.code == .invalidArgument
            }
        }
    }

    @Test func appendLearnsTheContentTypeWithHead() async throws {
        try await TestServer.with { server in
            let path = uniquePath("client")
            try await server.createStream(path, contentType: "text/csv")
            let stream = DurableStream(url: server.url(path))
            #expect(stream.contentType == nil)
            try await stream.append("a,b\n")
            #expect(stream.contentType == "text/csv")
            #expect(String(buffer: try await stream.readAll().data) == "a,b\n")
        }
    }

    @Test func forksInheritTheSourceUpToTheForkOffset() async throws {
        try await TestServer.with { server in
            let source = server.stream("fork-source")
            try await source.create(contentType: "text/plain", initialData: StreamBody(text: "shared;"))
            let forkPoint = try #require(try await source.append("also shared;").nextOffset)
            try await source.append("source only;")

            let fork = server.stream("fork")
            let created = try await fork.create(fork: ForkOptions(source: source, offset: forkPoint))
            #expect(created.created)
            #expect(created.contentType == "text/plain")
            #expect(created.nextOffset == forkPoint)
            try await fork.append("fork only;")
            #expect(String(buffer: try await fork.readAll().data) == "shared;also shared;fork only;")
            #expect(String(buffer: try await source.readAll().data) == "shared;also shared;source only;")

            // A JSON fork with a sub-offset takes that many messages past the anchor.
            let events = server.stream("fork-json")
            try await events.create(contentType: "application/json", initialData: try .jsonBatch([1, 2, 3, 4]))
            let partial = server.stream("fork-json-partial")
            try await partial.create(fork: ForkOptions(source: events, offset: .beginning, subOffset: 2))
            var values: [Int] = []
            for try await message in partial.messages(as: Int.self, mode: .catchUp) { values.append(message.value) }
            #expect(values == [1, 2])

            // Forking a missing stream is not found.
            await #expect {
                try await server.stream("fork-orphan").create(fork: ForkOptions(sourcePath: server.urlPath(uniquePath("missing"))))
            } throws: { ($0 as? DurableStreamError)?.code == .notFound }
        }
    }

    @Test func forkOptionsAreSentAsForkHeaders() async throws {
        try await TestServer.with { server in
            let proxy = try await FaultProxy.start(targetPort: server.port)
            defer { Task { try? await proxy.stop() } }
            let source = server.stream("fork-source")
            try await source.create(contentType: "application/json", initialData: try .jsonBatch([1, 2, 3]))
            let forkPath = uniquePath("fork")
            let fork = DurableStream(url: proxy.url(server.url(forkPath)))
            try await fork.create(
                expiration: .ttl(seconds: 60),
                fork: ForkOptions(source: source, offset: .beginning, subOffset: 2)
            )
            let head = try #require(proxy.requestHeads.first)
            #expect(head.hasPrefix("PUT \(server.urlPath(forkPath)) HTTP/1.1"))
            #expect(head.contains("\r\nStream-Forked-From: \(URLComponents(string: source.url)!.path)"))
            #expect(head.contains("\r\nStream-Fork-Offset: -1"))
            #expect(head.contains("\r\nStream-Fork-Sub-Offset: 2"))
            #expect(head.contains("\r\nStream-TTL: 60"))
            #expect(!head.lowercased().contains("\r\ncontent-type:"))
        }
    }

    @Test func plainAppendsRetryOnlyWhileNoConnectionCanBeMade() async throws {
        let first = try await TestServer.start()
        let port = first.port
        let store = first.store
        let path = uniquePath("retry")
        // Created with another HTTP client, so the client under test holds no pooled connection that the
        // stop would leave stale (a request on a stale connection may have been sent, so it is not retried).
        try await first.createStream(path)
        let url = first.url(path)
        try await first.stop()

        // Each attempt announces itself; the server comes back after the second one.
        let (attempts, announce) = AsyncStream.makeStream(of: Int.self)
        let counter = Counter()
        let configuration = ClientConfiguration(
            dynamicHeaders: {
                announce.yield(counter.next())
                return [:]
            },
            retry: RetryPolicy(initialDelay: .milliseconds(5), maxDelay: .milliseconds(50))
        )
        let stream = DurableStream(url: url, contentType: "text/plain", configuration: configuration)
        let append = Task { try await stream.append("once") }
        var second: TestServer?
        do {
            try await withTimeout(30, "append across a restart") {
                for await attempt in attempts where attempt >= 2 { break }
            }
            second = try await TestServer.start(configure: {
                $0.port = port
                $0.store = store
            })
            try await withTimeout(30, "append across a restart") { try await append.value }
            #expect(String(buffer: try await stream.readAll().data) == "once")
        } catch {
            append.cancel()
            try? await second?.stop()
            throw error
        }
        try await second?.stop()
    }

    @Test func credentialsReachAServerThatRequiresThem() async throws {
        let authorizer = BearerTokenAuthorizer(grants: [.fullAccess(token: "s3cret")])
        try await TestServer.with(configure: { $0.authorizer = authorizer }) { server in
            let path = uniquePath("auth")
            let anonymous = DurableStream(url: server.url(path))
            await #expect { try await anonymous.create(contentType: "text/plain") } throws: { error in
                guard let error = error as? DurableStreamError else { return false }
                return error.code == .unauthorized || error.code == .forbidden
            }
            let stream = DurableStream(
                url: server.url(path), configuration: ClientConfiguration(dynamicHeaders: { ["Authorization": "Bearer s3cret"] })
            )
            try await stream.create(contentType: "text/plain")
            try await stream.append("ok")
            try await stream.close()
            let chunks = try await withTimeout { try await collect(stream.read(mode: .sse)) }
            #expect(String(decoding: joinedBytes(chunks), as: UTF8.self) == "ok")
        }
    }

    @Test func everyOperationCarriesTheConfiguredHeadersIncludingRetries() async throws {
        try await TestServer.with { server in
            let proxy = try await FaultProxy.start(targetPort: server.port)
            defer { Task { try? await proxy.stop() } }
            let counter = Counter()
            let configuration = ConfiguredHeaders.configuration(counter: counter, retry: RetryPolicy(initialDelay: .milliseconds(1), maxDelay: .milliseconds(20)))
            let source = DurableStream(url: proxy.url(server.url(uniquePath("headers"))), configuration: configuration)
            try await source.create(contentType: "text/plain", expiration: .ttl(seconds: 600))
            _ = try await source.head()
            try await source.append("plain;")
            // The producer's first answer is lost, so its batch is sent again.
            let producer = source.producer(id: "headers")
            proxy.dropNextResponses(1)
            try await producer.append("produced;")
            try await withTimeout { try await producer.flush() }
            try await withTimeout { try await producer.close(final: StreamBody(text: "end")) }
            #expect(await producer.statistics.retries >= 1)
            #expect(String(buffer: try await source.readAll().data) == "plain;produced;end")
            let fork = DurableStream(url: proxy.url(server.url(uniquePath("headers-fork"))), configuration: configuration)
            try await fork.create(fork: ForkOptions(source: source))
            try await fork.delete()

            let heads = proxy.requestHeads
            let methods = Set(heads.compactMap { $0.split(separator: " ").first.map(String.init) })
            #expect(methods == ["PUT", "HEAD", "POST", "GET", "DELETE"])
            ConfiguredHeaders.expectInEvery(heads)
        }
    }

    @Test func unreachableServerIsANetworkError() async throws {
        // Nothing listens on port 9 of the loopback address (a stopped test server's port could be taken by
        // another test's server before the request is made).
        let url = "http://127.0.0.1:9/v1/stream/" + uniquePath("gone")
        let stream = DurableStream(url: url, configuration: ClientConfiguration(retry: .none))
        try await withTimeout(20, "head against a stopped server") {
            await #expect { try await stream.head() } throws: { ($0 as? DurableStreamError)?.code == .network }
        }
    }
}
