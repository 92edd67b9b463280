@testable import DSServer
import DSStore
import DSTestSupport
import Foundation
import Testing

/// Appends pipelined on one connection go to the store together (so a durable store commits them in one group),
/// while answers still leave in request order and every other request waits for the answers before it.
struct PipelinedAppendTests {
    /// Every append reaches the store before any is answered; answered newest first, they are still written in
    /// request order, each with its own tail.
    @Test func pipelinedAppendsReachTheStoreTogetherAndAreAnsweredInOrder() async throws {
        let store = HeldAppendStore()
        try await TestServer.with(store: store) { server in
            let path = uniquePath("ahead")
            try await server.createStream(path)
            let count = 8
            var requests = ""
            for index in 0..<count {
                requests += Self.append(server.urlPath(path), String(repeating: "x", count: index + 1), id: "append-\(index)", close: index == count - 1)
            }
            let exchange = Self.exchange(server, requests)
            let together = await eventually { store.received == count }
            #expect(together, "only \(store.received) of \(count) pipelined appends reached the store before any was answered")
            store.releaseAllNewestFirst()
            let responses = try RawResponse.parse(try await exchange.value)
            #expect(responses.map(\.status) == Array(repeating: 204, count: count))
            #expect(responses.map { $0.header("X-Request-Id") } == (0..<count).map { "append-\($0)" })
            let offsets = responses.compactMap { $0.header("Stream-Next-Offset") }
            #expect(offsets.count == count)
            #expect(zip(offsets, offsets.dropFirst()).allSatisfy { $0 < $1 })
            let tail = try await server.request(.HEAD, path).nextOffset
            #expect(offsets.last == tail)
        }
    }

    /// With the limit at 3, no more than 3 appends are ever in the store unanswered; each answer lets one more in.
    @Test func theNumberOfAppendsInFlightIsBounded() async throws {
        let store = HeldAppendStore()
        let limit = 3
        try await TestServer.with(store: store, configure: { $0.limits.maxPipelinedAppends = limit }) { server in
            let path = uniquePath("ahead-limit")
            try await server.createStream(path)
            let count = 7
            var requests = ""
            for index in 0..<count {
                requests += Self.append(server.urlPath(path), String(index), id: "append-\(index)", close: index == count - 1)
            }
            let exchange = Self.exchange(server, requests)
            #expect(await eventually { store.received == limit })
            // Answered oldest first, one at a time: each answer written lets exactly one more append in.
            for index in 0..<count {
                store.release(index)
                let expected = min(count, limit + index + 1)
                #expect(await eventually { store.received == expected })
            }
            let responses = try RawResponse.parse(try await exchange.value)
            #expect(responses.map(\.status) == Array(repeating: 204, count: count))
            #expect(responses.map { $0.header("X-Request-Id") } == (0..<count).map { "append-\($0)" })
            #expect(store.mostOutstanding == limit)
            #expect(try await server.request(.GET, path + "?offset=-1").text == "0123456")
        }
    }

    /// A `PUT` and a `GET` pipelined behind appends reach the store only after every append was answered; the
    /// `GET` sees every appended byte.
    @Test func otherRequestsWaitForTheAppendsBeforeThem() async throws {
        let store = HeldAppendStore()
        try await TestServer.with(store: store) { server in
            let path = uniquePath("ahead-read")
            try await server.createStream(path)
            let target = server.urlPath(path)
            let count = 4
            var requests = ""
            for index in 0..<count { requests += Self.append(target, "m\(index);", id: "append-\(index)") }
            requests += "PUT \(target) HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\nContent-Length: 0\r\n\r\n"
            requests += "GET \(target)?offset=-1 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
            let exchange = Self.exchange(server, requests)
            #expect(await eventually { store.received == count })
            store.releaseAllNewestFirst()
            let responses = try RawResponse.parse(try await exchange.value)
            #expect(responses.map(\.status) == Array(repeating: 204, count: count) + [200, 200])
            #expect(responses.last?.body == "m0;m1;m2;m3;")
            #expect(responses[count].header("Stream-Next-Offset") == responses[count - 1].header("Stream-Next-Offset"))
            // The create and the read were each called with every append already answered.
            #expect(store.releasedBeforeOtherCalls == [count, count])
        }
    }

    /// A close and an append pipelined behind it: the append, handed over before the close was answered, still
    /// finds the stream closed.
    @Test func anAppendPipelinedBehindACloseIsRefused() async throws {
        let store = HeldAppendStore()
        try await TestServer.with(store: store) { server in
            let responses = try await Self.closeThenAppend(server) {
                #expect(await eventually { store.received == 2 })
                store.releaseAllNewestFirst()
            }
            #expect(responses.map(\.status) == [204, 409])
            #expect(responses.map { $0.header("Stream-Closed") } == ["true", "true"])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func anAppendPipelinedBehindACloseIsRefusedByEachStore(_ kind: StoreKind) async throws {
        try await TestServer.with(kind) { server in
            let responses = try await Self.closeThenAppend(server) {}
            #expect(responses.map(\.status) == [204, 409])
            #expect(responses.map { $0.header("Stream-Closed") } == ["true", "true"])
        }
    }

    /// An append that asks to close the connection may go ahead, but nothing after it does: the connection
    /// closes after its answer.
    @Test func nothingGoesAheadPastConnectionClose() async throws {
        let store = HeldAppendStore()
        try await TestServer.with(store: store) { server in
            let path = uniquePath("ahead-last")
            try await server.createStream(path)
            let target = server.urlPath(path)
            let requests = Self.append(target, "k0", id: "append-0") + Self.append(target, "k1", id: "append-1", close: true)
                + Self.append(target, "k2", id: "append-2")
            let exchange = Self.exchange(server, requests)
            #expect(await eventually { store.received == 2 })
            store.releaseAllNewestFirst()
            let responses = try RawResponse.parse(try await exchange.value)
            #expect(responses.map(\.status) == [204, 204])
            #expect(responses.last?.header("Connection") == "close")
            #expect(store.received == 2)
            #expect(try await server.request(.GET, path + "?offset=-1").text == "k0k1")
        }
    }

    /// Bytes that are not HTTP behind appends in flight: the appends are answered, then `400`, then the close.
    @Test func malformedBytesBehindAppendsInFlightAreRefusedAfterTheirAnswers() async throws {
        let store = HeldAppendStore()
        try await TestServer.with(store: store) { server in
            let path = uniquePath("ahead-malformed")
            try await server.createStream(path)
            let target = server.urlPath(path)
            let requests = Self.append(target, "b0", id: "append-0") + Self.append(target, "b1", id: "append-1") + "NOT HTTP\r\n\r\n"
            let exchange = Self.exchange(server, requests)
            #expect(await eventually { store.received == 2 })
            store.releaseAllNewestFirst()
            let responses = try RawResponse.parse(try await exchange.value)
            #expect(responses.map(\.status) == [204, 204, 400])
            #expect(responses.prefix(2).map { $0.header("X-Request-Id") } == ["append-0", "append-1"])
        }
    }

    /// A request refused for its size behind appends in flight: their answers first, then the refusal, then
    /// the connection closes (the append after it is never taken up).
    @Test func aRefusalBehindAppendsInFlightComesAfterTheirAnswers() async throws {
        let store = HeldAppendStore()
        try await TestServer.with(store: store, configure: { $0.limits.maxBodyBytes = 64 }) { server in
            let path = uniquePath("ahead-refused")
            try await server.createStream(path)
            let target = server.urlPath(path)
            var requests = ""
            for index in 0..<3 { requests += Self.append(target, "a\(index)", id: "append-\(index)") }
            requests += Self.append(target, String(repeating: "y", count: 100), id: "too-large")
            requests += Self.append(target, "never", id: "after")
            let exchange = Self.exchange(server, requests)
            #expect(await eventually { store.received == 3 })
            store.releaseAllNewestFirst()
            let responses = try RawResponse.parse(try await exchange.value)
            #expect(responses.map(\.status) == [204, 204, 204, 413])
            #expect(responses.prefix(3).map { $0.header("X-Request-Id") } == ["append-0", "append-1", "append-2"])
            #expect(store.received == 3)
            #expect(try await server.request(.GET, path + "?offset=-1").text == "a0a1a2")
        }
    }

    /// A chunked append whose body arrives in pieces behind an append in flight is collected while its pieces stay
    /// within the body limit, and goes ahead once whole; one whose pieces go over waits its turn and is refused.
    @Test func aChunkedAppendArrivingInPiecesGoesAheadWithinTheBodyLimit() async throws {
        let store = HeldAppendStore()
        try await TestServer.with(store: store, configure: { $0.limits.maxBodyBytes = 64 }) { server in
            let path = uniquePath("ahead-pieces")
            try await server.createStream(path)
            let target = server.urlPath(path)
            let chunkedHead = "POST \(target) HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"

            let socket = try RawSocket(port: server.port)
            try socket.send(Self.append(target, "first", id: "first"))
            #expect(await eventually { store.received == 1 })
            // The pieces are sent apart so that they reach the server in reads of their own (the test passes
            // however they arrive; apart, they exercise collecting a body across reads).
            try socket.send(chunkedHead)
            for piece in ["ab", "cd", "ef"] {
                try await Task.sleep(for: .milliseconds(50))
                try socket.send("2\r\n\(piece)\r\n")
            }
            try await Task.sleep(for: .milliseconds(50))
            try socket.send("0\r\n\r\n")
            #expect(await eventually { store.received == 2 }, "the whole chunked append went ahead of the held one")
            store.releaseAllNewestFirst()
            #expect(try await Self.receive(2, from: socket).map(\.status) == [204, 204])
            socket.close()

            let over = try RawSocket(port: server.port)
            try over.send(Self.append(target, "second", id: "second"))
            #expect(await eventually { store.received == 3 })
            try over.send(chunkedHead)
            for _ in 0..<5 { try over.send("14\r\n" + String(repeating: "z", count: 20) + "\r\n") }  // 100 bytes > 64
            try over.send("0\r\n\r\n")
            store.releaseAllNewestFirst()
            #expect(try await Self.receive(2, from: over).map(\.status) == [204, 413])
            over.close()
            #expect(store.received == 3)
            #expect(try await server.request(.GET, path + "?offset=-1").text == "firstabcdefsecond")
        }
    }

    /// The client hangs up while appends wait for the store: every request in flight ends at once, the appends
    /// the store had stay applied, and the server goes on serving.
    @Test func aHangUpWithAppendsInFlightLeavesTheStoredOnesReadable() async throws {
        let store = HeldAppendStore()
        try await TestServer.with(store: store) { server in
            let path = uniquePath("ahead-hangup")
            try await server.createStream(path)
            let count = 5
            var requests = ""
            for index in 0..<count { requests += Self.append(server.urlPath(path), "h\(index)", id: "append-\(index)") }
            let socket = try RawSocket(port: server.port)
            try socket.send(requests)
            #expect(await eventually { store.received == count })
            socket.close()
            #expect(await eventually { server.server.inFlightRequestCount == 0 })
            store.releaseAllNewestFirst()
            #expect(try await server.request(.GET, path + "?offset=-1").text == "h0h1h2h3h4")
            // Appends on a new connection work as before (this store holds them too, until released).
            let append = Task { try await server.appendText(path, "!") }
            #expect(await eventually { store.received == count + 1 })
            store.release(count)
            #expect(try await append.value.status == .noContent)
            #expect(try await server.request(.GET, path + "?offset=-1").text == "h0h1h2h3h4!")
        }
    }

    /// A graceful stop while appends wait for the store: every one of them is answered, and only then does the
    /// connection close.
    @Test func aDrainAnswersEveryAppendInFlightBeforeClosing() async throws {
        let store = HeldAppendStore()
        let server = try await TestServer.start(store: store, configure: { $0.shutdownTimeout = .seconds(60) })
        let path = uniquePath("ahead-drain")
        try await server.createStream(path)
        let count = 3
        var requests = ""
        for index in 0..<count { requests += Self.append(server.urlPath(path), "d\(index)", id: "append-\(index)") }
        let exchange = Self.exchange(server, requests)
        #expect(await eventually { store.received == count })
        async let stopped: Void = server.stop()
        #expect(await eventually { server.server.handler.operations.isDraining })
        store.releaseAllNewestFirst()
        let responses = try RawResponse.parse(try await exchange.value)
        try await stopped
        #expect(responses.map(\.status) == Array(repeating: 204, count: count))
        #expect(responses.map { $0.header("X-Request-Id") } == (0..<count).map { "append-\($0)" })
        #expect(responses.last?.header("Connection") == "close")
        let read = try await store.inner.read(
            ReadRequest(path: path, start: .beginning, maxBytes: 1024, now: .now()), on: TestEventLoop.any
        ).get()
        #expect(read.chunks.reduce(0) { $0 + $1.readableBytes } == 2 * count)
    }

    /// An append that expects `100 Continue` does not go ahead: the interim answer belongs after the answers
    /// before it.
    @Test func anAppendExpectingContinueWaitsForItsTurn() async throws {
        let store = HeldAppendStore()
        try await TestServer.with(store: store) { server in
            let path = uniquePath("ahead-continue")
            try await server.createStream(path)
            let target = server.urlPath(path)
            let requests = Self.append(target, "c0", id: "append-0") + Self.append(target, "c1", id: "append-1")
                + Self.append(target, "c2", id: "append-2", close: true, headers: "Expect: 100-continue\r\n")
            let exchange = Self.exchange(server, requests)
            #expect(await eventually { store.received == 2 })
            store.releaseAllNewestFirst()
            #expect(await eventually { store.received == 3 })
            store.release(2)
            let responses = try RawResponse.parse(try await exchange.value)
            #expect(responses.map(\.status) == [204, 204, 100, 204])
            #expect(try await server.request(.GET, path + "?offset=-1").text == "c0c1c2")
        }
    }

    /// On the file store, appends pipelined on one connection (committed together) are all there, in order,
    /// after the store is opened again.
    @Test func pipelinedAppendsToTheFileStoreSurviveARestart() async throws {
        let store = try StoreKind.file.makeRestartableStore()
        let path = uniquePath("ahead-durable")
        let count = 40
        let expected = (0..<count).map { "<\($0)>" }.joined()
        try await TestServer.with(store: store) { server in
            try await server.createStream(path)
            var requests = ""
            for index in 0..<count {
                requests += Self.append(server.urlPath(path), "<\(index)>", id: "append-\(index)", close: index == count - 1)
            }
            let responses = try RawResponse.parse(try await Self.exchange(server, requests).value)
            #expect(responses.map(\.status) == Array(repeating: 204, count: count))
            #expect(responses.map { $0.header("X-Request-Id") } == (0..<count).map { "append-\($0)" })
            let offsets = responses.compactMap { $0.header("Stream-Next-Offset") }
            #expect(zip(offsets, offsets.dropFirst()).allSatisfy { $0 < $1 })
        }
        try StoreKind.reopen(store)
        try await TestServer.with(store: store) { server in
            let text = try await server.request(.GET, path + "?offset=-1").text
            #expect(text == expected)
        }
    }

    // MARK: - Helpers

    private static func append(_ target: String, _ body: String, id: String, close: Bool = false, headers: String = "") -> String {
        "POST \(target) HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\nX-Request-Id: \(id)\r\n"
            + (close ? "Connection: close\r\n" : "") + headers + "Content-Length: \(body.utf8.count)\r\n\r\n" + body
    }

    /// Reads from `socket` until `count` whole responses arrived.
    private static func receive(_ count: Int, from socket: RawSocket) async throws -> [RawResponse] {
        var raw = ""
        while true {
            if let responses = try? RawResponse.parse(raw), responses.count >= count { return responses }
            let more = try await socket.receive()
            guard !more.isEmpty else { return try RawResponse.parse(raw) }
            raw += more
        }
    }

    /// Sends `requests` on one connection in one write and collects everything until the server closes it.
    private static func exchange(_ server: TestServer, _ requests: String) -> Task<String, any Error> {
        let port = server.port
        return Task { try await RawHTTP.exchange(port: port, request: Array(requests.utf8), timeout: .seconds(90)) }
    }

    /// Closes a new stream and appends to it, pipelined; `whileInFlight` runs while the two are being answered.
    private static func closeThenAppend(_ server: TestServer, whileInFlight: () async throws -> Void) async throws -> [RawResponse] {
        let path = uniquePath("ahead-closed")
        try await server.createStream(path)
        let target = server.urlPath(path)
        let requests = "POST \(target) HTTP/1.1\r\nHost: localhost\r\nStream-Closed: true\r\nContent-Length: 0\r\n\r\n"
            + append(target, "late", id: "late", close: true)
        let exchange = exchange(server, requests)
        try await whileInFlight()
        return try RawResponse.parse(try await exchange.value)
    }
}

/// One HTTP/1.1 response cut out of the raw bytes of a connection (bodies delimited by `Content-Length`).
struct RawResponse {
    var status: Int
    var headers: [(String, String)]
    var body: String

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    /// Splits everything a connection sent into its responses.
    static func parse(_ raw: String) throws -> [RawResponse] {
        var responses: [RawResponse] = []
        var rest = Substring(raw)
        while !rest.isEmpty {
            guard let headEnd = rest.range(of: "\r\n\r\n") else { throw TestFailure("an incomplete response head: \(rest)") }
            let lines = rest[..<headEnd.lowerBound].components(separatedBy: "\r\n")
            let statusLine = lines[0].split(separator: " ")
            guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw TestFailure("not a status line: \(lines[0])") }
            let headers = lines.dropFirst().compactMap { line -> (String, String)? in
                guard let colon = line.firstIndex(of: ":") else { return nil }
                return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
            }
            var response = RawResponse(status: status, headers: headers, body: "")
            let length = response.header("Content-Length").flatMap { Int($0) } ?? 0
            let bodyStart = headEnd.upperBound
            guard rest.utf8.distance(from: bodyStart, to: rest.endIndex) >= length else { throw TestFailure("a truncated body: \(rest)") }
            let bodyEnd = rest.utf8.index(bodyStart, offsetBy: length)
            response.body = String(rest[bodyStart..<bodyEnd])
            responses.append(response)
            rest = rest[bodyEnd...]
        }
        return responses
    }
}
