import DSServer
import DSStore
import DSTestSupport
import NIOCore
import NIOHTTP1
import Testing

/// `/healthz`, `/readyz` and `/metrics`: served outside the stream root, and metrics that move when
/// requests happen.
struct OperationsEndpointTests {
    @Test func healthAndReadinessAnswerOutsideTheStreamRoot() async throws {
        try await TestServer.with { (server: TestServer) async throws in
            let health = try await server.request(.GET, "/healthz")
            #expect(health.status == .ok)
            #expect(health.text == "ok\n")
            #expect(health.header("Cache-Control") == "no-store")
            let ready = try await server.request(.GET, "/readyz")
            #expect(ready.status == .ok)
            #expect(try await server.request(.HEAD, "/healthz").status == .ok)
            let post = try await server.request(.POST, "/healthz")
            #expect(post.status == .methodNotAllowed)
            #expect(post.header("Allow") == "GET, HEAD")
            // Without a renderer there is no metrics endpoint.
            #expect(try await server.request(.GET, "/metrics").status == .notFound)
            // A stream with the same name under the root is an ordinary stream.
            #expect(try await server.request(.GET, "healthz").status == .notFound)
        }
    }

    @Test func readinessFollowsTheStore() async throws {
        let store = GatedStore()
        try await TestServer.with(configure: { $0.store = store }) { (server: TestServer) async throws in
            #expect(try await server.request(.GET, "/readyz").status == .ok)
            store.setReady(false)
            let notReady = try await server.request(.GET, "/readyz")
            #expect(notReady.status == .serviceUnavailable)
            #expect(notReady.text.contains("the test switched readiness off"))
            #expect(try await server.request(.GET, "/healthz").status == .ok)
            store.setReady(true)
            #expect(try await server.request(.GET, "/readyz").status == .ok)
        }
    }

    @Test func endpointPathsAreConfigurable() async throws {
        try await TestServer.with(configure: {
            $0.operations.healthPath = "/ops/live"
            $0.operations.readinessPath = "/ops/ready"
            $0.operations.metricsPath = "/ops/metrics"
            $0.useOwnPrometheusRegistry()
        }) { (server: TestServer) async throws in
            #expect(try await server.request(.GET, "/ops/live").status == .ok)
            #expect(try await server.request(.GET, "/ops/ready").status == .ok)
            #expect(try await server.request(.GET, "/ops/metrics").status == .ok)
            #expect(try await server.request(.GET, "/healthz").status == .notFound)
            #expect(try await server.request(.GET, "/metrics").status == .notFound)
        }
    }

    @Test func metricsMoveWhenRequestsHappen() async throws {
        try await TestServer.with(configure: { $0.useOwnPrometheusRegistry() }) { (server: TestServer) async throws in
            let before = try await MetricsScrape.scrape(server)
            #expect(before.text.contains("# TYPE ds_http_requests_total counter"))
            let path = uniquePath()
            try await server.createStream(path)
            try await server.appendText(path, "hello")
            #expect(try await server.request(.GET, path).text == "hello")
            #expect(try await server.request(.GET, uniquePath()).status == .notFound)

            // Request records are written after the response's last byte, so wait for them to land.
            var after = try await MetricsScrape.scrape(server)
            #expect(
                try await eventually {
                    after = try await MetricsScrape.scrape(server)
                    return after[#"ds_http_requests_total{method="GET",status="404"}"#] >= 1
                }
            )
            #expect(after[#"ds_http_requests_total{method="PUT",status="201"}"#] == before[#"ds_http_requests_total{method="PUT",status="201"}"#] + 1)
            #expect(after[#"ds_http_requests_total{method="POST",status="204"}"#] == before[#"ds_http_requests_total{method="POST",status="204"}"#] + 1)
            #expect(after[#"ds_http_requests_total{method="GET",status="200"}"#] >= 1)
            #expect(after["ds_http_request_body_bytes_total"] - before["ds_http_request_body_bytes_total"] == 5)
            #expect(after["ds_http_response_body_bytes_total"] > before["ds_http_response_body_bytes_total"])
            #expect(after[#"ds_http_request_duration_seconds_count{method="POST"}"#] >= 1)
            #expect(after["ds_streams"] == 1)
            #expect(after[#"ds_stream_events_total{event="created"}"#] == 1)

            #expect(try await server.request(.DELETE, path).status == .noContent)
            let deleted = try await MetricsScrape.scrape(server)
            #expect(deleted["ds_streams"] == 0)
            #expect(deleted[#"ds_stream_events_total{event="deleted"}"#] == 1)
        }
    }

    @Test func liveReadersAndExpiriesAreCounted() async throws {
        let clock = ManualStoreClock()
        try await TestServer.with(configure: {
            $0.useOwnPrometheusRegistry()
            $0.expirySweepInterval = .milliseconds(50)
            $0.clock = clock.storeClock
        }) { (server: TestServer) async throws in
            let path = uniquePath()
            try await server.createStream(path)
            async let poll = server.request(.GET, "\(path)?offset=now&live=long-poll", timeout: .seconds(20))
            #expect(
                try await eventually {
                    try await MetricsScrape.scrape(server)[#"ds_live_readers{mode="long-poll"}"#] == 1
                }
            )
            try await server.appendText(path, "wake")
            #expect(try await poll.status == .ok)
            // Both are recorded just after the answer is written, so a scrape may come between the write and them.
            #expect(
                try await eventually {
                    let scrape = try await MetricsScrape.scrape(server)
                    return scrape[#"ds_live_readers{mode="long-poll"}"#] == 0
                        && scrape[#"ds_live_session_duration_seconds_count{mode="long-poll"}"#] == 1
                }
            )

            try await server.createStream(uniquePath(), headers: [("Stream-TTL", "1")])
            clock.advance(milliseconds: 1000)
            #expect(
                try await eventually(within: 30) {
                    try await MetricsScrape.scrape(server)[#"ds_stream_events_total{event="expired"}"#] == 1
                }
            )
        }
    }
}
