import DSServer
import DSTestSupport
import Logging
import NIOCore
import NIOHTTP1
import Testing

/// One structured request-log line per request, and `X-Request-Id` accepted, generated and echoed.
struct RequestLogTests {
    private func lines(_ capture: LogCapture, requestID: String) -> [LogCapture.Record] {
        capture.records.filter { $0.message == "request" && $0.metadata["request_id"] == requestID }
    }

    @Test func eachRequestLogsOneLineWithItsFields() async throws {
        let capture = LogCapture()
        try await TestServer.with(configure: {
            $0.operations.accessLog = capture.logger(label: "access", level: .info)
            $0.operations.generateRequestIDs = true
        }) { (server: TestServer) async throws in
            let path = uniquePath()
            try await server.createStream(path)
            let append = try await server.appendText(path, "hello", headers: [("X-Request-Id", "client-chosen-1")])
            #expect(append.header("X-Request-Id") == "client-chosen-1")
            #expect(await eventually { self.lines(capture, requestID: "client-chosen-1").count == 1 })
            let line = try #require(lines(capture, requestID: "client-chosen-1").first)
            #expect(line.level == .info)
            #expect(line.label == "access")
            #expect(line.metadata["method"] == "POST")
            #expect(line.metadata["path"] == server.urlPath(path))
            #expect(line.metadata["status"] == "204")
            #expect(line.metadata["bytes_in"] == "5")
            #expect(line.metadata["bytes_out"] == "0")
            #expect(line.metadata["client"] == "127.0.0.1")
            #expect(Double(try #require(line.metadata["duration_ms"])) != nil)

            let read = try await server.request(.GET, "\(path)?offset=-1")
            let generated = try #require(read.header("X-Request-Id"))
            #expect(!generated.isEmpty)
            #expect(await eventually { self.lines(capture, requestID: generated).count == 1 })
            let readLine = try #require(lines(capture, requestID: generated).first)
            #expect(readLine.metadata["status"] == "200")
            #expect(readLine.metadata["bytes_out"] == "5")
            #expect(readLine.metadata["query"] == "offset=-1")
        }
    }

    @Test func unsafeRequestIDsAreReplaced() async throws {
        let capture = LogCapture()
        try await TestServer.with(configure: {
            $0.operations.accessLog = capture.logger()
            $0.operations.generateRequestIDs = true
        }) { (server: TestServer) async throws in
            let response = try await server.request(.GET, uniquePath(), headers: [("X-Request-Id", "has space")])
            let echoed = try #require(response.header("X-Request-Id"))
            #expect(echoed != "has space")
            let long = String(repeating: "a", count: 129)
            let replaced = try #require(try await server.request(.GET, uniquePath(), headers: [("X-Request-Id", long)]).header("X-Request-Id"))
            #expect(replaced != long)
        }
        // Without generation a client's acceptable id is still echoed, and nothing is invented.
        try await TestServer.with { (server: TestServer) async throws in
            #expect(try await server.request(.GET, uniquePath(), headers: [("X-Request-Id", "mine")]).header("X-Request-Id") == "mine")
            #expect(try await server.request(.GET, uniquePath()).header("X-Request-Id") == nil)
        }
    }

    @Test func refusedAndLiveRequestsAreLoggedToo() async throws {
        let capture = LogCapture()
        try await TestServer.with(configure: {
            $0.operations.accessLog = capture.logger()
            $0.limits.maxBodyBytes = 4
            $0.sseConnectionLifetime = .milliseconds(200)
        }) { (server: TestServer) async throws in
            let path = uniquePath()
            try await server.createStream(path, body: "abc")
            let tooLarge = try await server.request(.POST, path, headers: [("Content-Type", "text/plain"), ("X-Request-Id", "too-large")], text: "12345")
            #expect(tooLarge.status == .payloadTooLarge)
            #expect(await eventually { self.lines(capture, requestID: "too-large").first?.metadata["status"] == "413" })

            // An SSE session is logged when it ends, with the bytes it streamed.
            let sse = try await server.request(.GET, "\(path)?offset=-1&live=sse", headers: [("X-Request-Id", "sse-1")])
            #expect(sse.status == .ok)
            #expect(await eventually { self.lines(capture, requestID: "sse-1").count == 1 })
            let line = try #require(lines(capture, requestID: "sse-1").first)
            #expect(line.metadata["live"] == "sse")
            #expect(Int(try #require(line.metadata["bytes_out"])) == sse.body.readableBytes)
        }
    }

    @Test func serverErrorsAreLoggedWithTheirRequest() async throws {
        let capture = LogCapture()
        let store = GatedStore()
        try await TestServer.with(configure: {
            $0.store = store
            $0.logger = capture.logger(label: "server")
        }) { (server: TestServer) async throws in
            let path = uniquePath()
            try await server.createStream(path)
            store.setFailingReads(true)
            let failed = try await server.request(.GET, path, headers: [("X-Request-Id", "broken-1")])
            #expect(failed.status == .internalServerError)
            #expect(await eventually { capture.records.contains { $0.message == "request failed" } })
            let line = try #require(capture.records.first { $0.message == "request failed" })
            #expect(line.level == .error)
            #expect(line.metadata["path"] == server.urlPath(path))
            #expect(line.metadata["status"] == "500")
            #expect(line.metadata["request_id"] == "broken-1")
            // The underlying error is logged too.
            #expect(capture.records.contains { $0.level == .error && $0.metadata["error"]?.contains("Broken") == true })
        }
    }

    @Test func noLoggerMeansNoRequestLog() async throws {
        // The default options carry no request log: embedding the library prints nothing per request.
        #expect(ServerOptions().operations.accessLog == nil)
    }
}
