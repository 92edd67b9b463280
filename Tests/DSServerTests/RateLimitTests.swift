import DSServer
import DSTestSupport
import NIOCore
import NIOHTTP1
import Testing

/// Per-client token buckets for requests and body bytes, and the cap on live reads: 429 with `Retry-After`.
/// Rates are tiny (one token per 100 s) so no test depends on how fast the machine is.
struct RateLimitTests {
    @Test func requestsOverTheBurstGet429WithRetryAfter() async throws {
        try await TestServer.with(configure: {
            $0.rateLimits = RateLimitOptions(requestsPerSecond: 0.01, requestBurst: 2)
            $0.useOwnPrometheusRegistry()
        }) { (server: TestServer) async throws in
            let path = uniquePath()
            #expect(try await server.request(.PUT, path, headers: [("Content-Type", "text/plain")]).status == .created)
            #expect(try await server.request(.GET, path).status == .ok)
            let refused = try await server.request(.GET, path)
            #expect(refused.status == .tooManyRequests)
            let retryAfter = try #require(refused.header("Retry-After").flatMap(Int.init))
            #expect(retryAfter >= 1 && retryAfter <= 100)
            #expect(refused.text.contains("request rate limit exceeded"))
            // Operations endpoints are not limited.
            #expect(try await server.request(.GET, "/healthz").status == .ok)
            // The request counter is updated just after the answer is written: a scrape may come between them.
            #expect(
                try await eventually {
                    let scrape = try await MetricsScrape.scrape(server)
                    return scrape[#"ds_rate_limited_total{reason="requests"}"#] == 1
                        && scrape[#"ds_http_requests_total{method="GET",status="429"}"#] == 1
                }
            )
        }
    }

    @Test func theReservedNamespaceSharesTheClientsBucket() async throws {
        try await TestServer.with(configure: {
            $0.rateLimits = RateLimitOptions(requestsPerSecond: 0.01, requestBurst: 2)
        }) { (server: TestServer) async throws in
            // Requests to `__ds` (the subscription API) cost tokens like stream requests, whoever answers them.
            #expect(try await server.request(.GET, "__ds/subscriptions/x").status == .notFound)
            #expect(try await server.request(.GET, uniquePath()).status == .notFound)
            let refused = try await server.request(.GET, "__ds/subscriptions/x")
            #expect(refused.status == .tooManyRequests)
            #expect(refused.header("Retry-After") != nil)
        }
    }

    @Test func clientsBehindATrustedProxyHaveTheirOwnBuckets() async throws {
        try await TestServer.with(configure: {
            $0.rateLimits = RateLimitOptions(requestsPerSecond: 0.01, requestBurst: 1)
            $0.trustedProxies = [NetworkRange("127.0.0.0/8")!]
        }) { (server: TestServer) async throws in
            let path = uniquePath()
            let alice = [("X-Forwarded-For", "203.0.113.7")]
            let bob = [("X-Forwarded-For", "198.51.100.9, 127.0.0.1")]
            #expect(try await server.request(.GET, path, headers: alice).status == .notFound)
            #expect(try await server.request(.GET, path, headers: alice).status == .tooManyRequests)
            #expect(try await server.request(.GET, path, headers: bob).status == .notFound)
            #expect(try await server.request(.GET, path, headers: bob).status == .tooManyRequests)
        }
    }

    @Test func forwardedForIsIgnoredFromUntrustedPeers() async throws {
        try await TestServer.with(configure: { $0.rateLimits = RateLimitOptions(requestsPerSecond: 0.01, requestBurst: 1) }) {
            (server: TestServer) async throws in
            let path = uniquePath()
            #expect(try await server.request(.GET, path, headers: [("X-Forwarded-For", "203.0.113.7")]).status == .notFound)
            #expect(try await server.request(.GET, path, headers: [("X-Forwarded-For", "198.51.100.9")]).status == .tooManyRequests)
        }
    }

    @Test func tokensCanHaveTheirOwnBuckets() async throws {
        try await TestServer.with(configure: {
            $0.authorizer = BearerTokenAuthorizer(grants: [.fullAccess(token: "one", name: "one"), .fullAccess(token: "two", name: "two")])
            $0.rateLimits = RateLimitOptions(requestsPerSecond: 0.01, requestBurst: 1, clientKey: .principal)
        }) { (server: TestServer) async throws in
            let path = uniquePath()
            #expect(try await server.request(.GET, path, headers: [("Authorization", "Bearer one")]).status == .notFound)
            #expect(try await server.request(.GET, path, headers: [("Authorization", "Bearer one")]).status == .tooManyRequests)
            #expect(try await server.request(.GET, path, headers: [("Authorization", "Bearer two")]).status == .notFound)
        }
    }

    @Test func bodyBytesHaveARateToo() async throws {
        try await TestServer.with(configure: { $0.rateLimits = RateLimitOptions(bytesPerSecond: 0.01, byteBurst: 10) }) {
            (server: TestServer) async throws in
            let path = uniquePath()
            try await server.createStream(path)
            #expect(try await server.request(.POST, path, headers: [("Content-Type", "text/plain")], text: "12345678").status == .noContent)
            let refused = try await server.request(.POST, path, headers: [("Content-Type", "text/plain")], text: "12345678")
            #expect(refused.status == .tooManyRequests)
            #expect(refused.text.contains("byte rate limit exceeded"))
            #expect(refused.header("Retry-After") != nil)
            // Requests without a body still pass: the byte bucket only charges bodies.
            #expect(try await server.request(.GET, path).text == "12345678")
        }
    }

    @Test func liveReadsPerClientAreCapped() async throws {
        try await TestServer.with(configure: { $0.rateLimits = RateLimitOptions(maxLiveRequestsPerClient: 1) }) { (server: TestServer) async throws in
            let path = uniquePath()
            try await server.createStream(path)
            async let first = server.request(.GET, "\(path)?offset=now&live=long-poll", timeout: .seconds(20))
            #expect(await eventually { server.server.liveRequestCount == 1 })
            let second = try await server.request(.GET, "\(path)?offset=now&live=long-poll", timeout: .seconds(20))
            #expect(second.status == .tooManyRequests)
            #expect(second.header("Retry-After") == "1")
            #expect(second.text.contains("too many live reads"))
            // Catch-up reads are not live and pass.
            #expect(try await server.request(.GET, path).status == .ok)
            try await server.appendText(path, "x")
            #expect(try await first.status == .ok)
            // The slot is free again once the first read ended.
            #expect(
                try await eventually {
                    try await server.request(.GET, "\(path)?offset=-1&live=long-poll", timeout: .seconds(20)).status == .ok
                }
            )
        }
    }
}
