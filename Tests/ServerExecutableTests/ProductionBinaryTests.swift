import AsyncHTTPClient
import DSTestSupport
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Testing

/// The executable as an operator runs it: JSON logs, Prometheus metrics, bearer tokens, TLS and rate limits.
struct ProductionBinaryTests {
    private func request(
        _ method: HTTPMethod,
        _ url: String,
        headers: [(String, String)] = [],
        body: String? = nil,
        client: HTTPClient = TestHTTPClient.shared
    ) async throws -> (status: HTTPResponseStatus, headers: HTTPHeaders, text: String) {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await client.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 16 * 1024 * 1024)
        return (response.status, response.headers, String(buffer: bytes))
    }

    private func root(of streamRootURL: String) -> String {
        String(streamRootURL.dropLast("/v1/stream/".count))
    }

    @Test func jsonLogsMetricsAndTokens() async throws {
        let logPath = FileManager.default.temporaryDirectory.appendingPathComponent("ds-log-\(UUID().uuidString).jsonl").path
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: logPath) }
        let logFile = try #require(FileHandle(forWritingAtPath: logPath))
        let server = try await ServerProcess.start(
            arguments: ["dev", "--port", "0", "--log-format", "json", "--auth-token", "secret-1", "--protect-metrics", "true"],
            standardError: logFile
        )
        let bearer = [("Authorization", "Bearer secret-1")]
        let path = uniquePath()
        #expect(try await request(.PUT, server.streamRootURL + path, headers: [("Content-Type", "text/plain")]).status == .unauthorized)
        let created = try await request(
            .PUT, server.streamRootURL + path, headers: bearer + [("Content-Type", "text/plain"), ("X-Request-Id", "binary-put-1")], body: "abc"
        )
        #expect(created.status == .created)
        #expect(created.headers.first(name: "X-Request-Id") == "binary-put-1")
        // An id that needs JSON escaping still yields a parseable line.
        let awkwardID = #"quote"and\backslash"#
        let awkward = try await request(.GET, server.streamRootURL + path, headers: bearer + [("X-Request-Id", awkwardID)])
        #expect(awkward.headers.first(name: "X-Request-Id") == awkwardID)
        #expect(try await request(.GET, root(of: server.streamRootURL) + "/healthz").status == .ok)
        #expect(try await request(.GET, root(of: server.streamRootURL) + "/readyz").status == .ok)
        #expect(try await request(.GET, root(of: server.streamRootURL) + "/metrics").status == .unauthorized)
        let metrics = try await request(.GET, root(of: server.streamRootURL) + "/metrics", headers: bearer)
        #expect(metrics.status == .ok)
        #expect(metrics.headers.first(name: "Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true)
        let scrape = MetricsScrape(metrics.text)
        #expect(scrape[#"ds_http_requests_total{method="PUT",status="201"}"#] == 1)
        #expect(scrape[#"ds_http_requests_total{method="PUT",status="401"}"#] == 1)
        // The registry stream exists from the start, the created stream since its PUT.
        #expect(scrape["ds_streams"] == 2)
        #expect(try await server.stop(timeoutSeconds: 60) == 0)
        try logFile.close()

        let lines = try String(contentsOfFile: logPath, encoding: .utf8).split(separator: "\n")
        let objects = try lines.map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not a JSON object: \(line)")
        }
        #expect(objects.contains { $0["msg"] as? String == "listening" })
        #expect(objects.contains { $0["msg"] as? String == "draining" })
        let put = try #require(objects.first { $0["request_id"] as? String == "binary-put-1" })
        #expect(put["msg"] as? String == "request")
        #expect(put["level"] as? String == "info")
        #expect(put["label"] as? String == "durable-streams.access")
        #expect(put["method"] as? String == "PUT")
        #expect(put["status"] as? Int == 201)
        #expect(put["bytes_in"] as? Int == 3)
        #expect(put["path"] as? String == "/v1/stream/\(path)")
        #expect((put["ts"] as? String)?.hasSuffix("Z") == true)
        #expect(objects.contains { $0["request_id"] as? String == awkwardID && $0["status"] as? Int == 200 })
    }

    @Test func servesHTTPSWithTheGivenCertificate() async throws {
        let certificate = try TestCertificate.generate()
        defer { certificate.remove() }
        let server = try await ServerProcess.start(arguments: [
            "dev", "--port", "0", "--tls-cert", certificate.certificatePath, "--tls-key", certificate.keyPath,
        ])
        #expect(server.streamRootURL.hasPrefix("https://127.0.0.1:"))
        let client = HTTPClient(
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
            configuration: HTTPClient.Configuration(tlsConfiguration: try certificate.clientConfiguration())
        )
        do {
            let path = uniquePath()
            let created = try await request(.PUT, server.streamRootURL + path, headers: [("Content-Type", "text/plain")], body: "tls", client: client)
            #expect(created.status == .created)
            #expect(created.headers.first(name: "Location")?.hasPrefix("https://") == true)
            #expect(try await request(.GET, server.streamRootURL + path, client: client).text == "tls")
        } catch {
            try await client.shutdown()
            throw error
        }
        try await client.shutdown()
        #expect(try await server.stop(timeoutSeconds: 60) == 0)
    }

    @Test func theSimpleRateLimitFlag() async throws {
        let server = try await ServerProcess.start(arguments: ["dev", "--port", "0", "--rate-limit", "0.01", "--no-registry"])
        let path = uniquePath()
        #expect(try await request(.GET, server.streamRootURL + path).status == .notFound)
        let refused = try await request(.GET, server.streamRootURL + path)
        #expect(refused.status == .tooManyRequests)
        #expect(refused.headers.first(name: "Retry-After").flatMap(Int.init) ?? 0 >= 1)
        #expect(try await server.stop(timeoutSeconds: 60) == 0)
    }

    @Test func sigtermAnswersLongPollsAndEndsSSESessions() async throws {
        let server = try await ServerProcess.start(arguments: [
            "dev", "--port", "0", "--long-poll-timeout-ms", "600000", "--sse-connection-lifetime-ms", "600000", "--shutdown-timeout", "60",
        ])
        let path = uniquePath()
        #expect(try await request(.PUT, server.streamRootURL + path, headers: [("Content-Type", "text/plain")]).status == .created)
        let poll = Task { try await BinaryHTTP.request(.GET, server.streamRootURL + path + "?offset=now&live=long-poll", timeoutSeconds: 600) }
        let sse = try await SSEReader.open(server.streamRootURL + path + "?offset=now&live=sse", timeout: .seconds(600))
        #expect(sse.status == .ok)
        // The live-reader gauges show when both are waiting.
        var waiting = false
        for _ in 0..<2000 where !waiting {
            let metrics = try await BinaryHTTP.metrics(server.streamRootURL)
            waiting = metrics[#"ds_live_readers{mode="long-poll"}"#] == 1 && metrics[#"ds_live_readers{mode="sse"}"#] == 1
            if !waiting { try await Task.sleep(nanoseconds: 5_000_000) }
        }
        #expect(waiting)
        #expect(try await server.stop(signal: SIGTERM, timeoutSeconds: 120) == 0)
        // The drain answered the long-poll (no data: 204) and ended the SSE response.
        #expect(try await poll.value.status == .noContent)
        let (_, ended) = try await sse.events()
        #expect(ended)
    }

    @Test func sigtermStopsAtTheDeadlineWhenAClientStopsReading() async throws {
        let size = 16 << 20
        let server = try await ServerProcess.start(arguments: [
            "dev", "--port", "0", "--no-registry", "--no-compression", "--read-chunk-bytes", String(64 << 20), "--shutdown-timeout", "1",
        ])
        let path = uniquePath()
        let created = try await BinaryHTTP.request(
            .PUT, server.streamRootURL + path, headers: [("Content-Type", "application/octet-stream")], body: String(repeating: "x", count: size)
        )
        #expect(created.status == .created)
        // A client with a tiny receive window asks for the whole stream and reads only the start: the
        // response can never finish, so the drain has to give up at the deadline.
        let port = try #require(URLComponents(string: server.streamRootURL)?.port)
        let socket = try RawSocket(port: port, receiveBufferBytes: 4096)
        try socket.send("GET /v1/stream/\(path)?offset=-1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        #expect(try await socket.receive(timeoutMilliseconds: 60_000).hasPrefix("HTTP/1.1 200"))
        #expect(try await server.stop(signal: SIGTERM, timeoutSeconds: 120) == 0)
        let (bytes, closed) = try await runBlocking { socket.drainUntilClosed() }
        #expect(closed)
        #expect(bytes < size)
    }
}
