import DSServer
import DSTestSupport
import NIOCore
import NIOHTTP1
import Testing

/// The authoriser hook and the bearer-token authoriser: 401 without or with bad credentials, 403 without
/// the scope, and the operations endpoints protected separately.
struct AuthorizationTests {
    static let authorizer = BearerTokenAuthorizer(grants: [
        .fullAccess(token: "admin-token"),
        BearerTokenAuthorizer.Grant(name: "reader", token: "reader-token", read: ["public/"]),
        BearerTokenAuthorizer.Grant(name: "writer", token: "writer-token", read: ["team/"], write: ["team/"]),
        BearerTokenAuthorizer.Grant(name: "scraper", token: "scraper-token", metrics: true),
    ])

    private func bearer(_ token: String) -> [(String, String)] { [("Authorization", "Bearer \(token)")] }

    @Test func missingOrInvalidCredentialsGet401WithABearerChallenge() async throws {
        try await TestServer.with(configure: { $0.authorizer = Self.authorizer }) { (server: TestServer) async throws in
            let path = "public/" + uniquePath()
            let anonymous = try await server.request(.PUT, path, headers: [("Content-Type", "text/plain")])
            #expect(anonymous.status == .unauthorized)
            #expect(anonymous.header("WWW-Authenticate") == #"Bearer realm="durable-streams""#)
            #expect(anonymous.text.contains("bearer token is required"))

            let wrong = try await server.request(.GET, path, headers: bearer("nope"))
            #expect(wrong.status == .unauthorized)
            #expect(wrong.header("WWW-Authenticate") == #"Bearer realm="durable-streams", error="invalid_token""#)

            let malformed = try await server.request(.GET, path, headers: [("Authorization", "Basic YWRtaW46YWRtaW4=")])
            #expect(malformed.status == .unauthorized)
            // Nothing was created by the refused requests.
            #expect(try await server.request(.GET, path, headers: bearer("admin-token")).status == .notFound)
        }
    }

    @Test func scopesDecideReadWriteCreateAndDelete() async throws {
        try await TestServer.with(configure: { $0.authorizer = Self.authorizer }) { (server: TestServer) async throws in
            let publicPath = "public/" + uniquePath()
            let teamPath = "team/" + uniquePath()
            #expect(try await server.request(.PUT, publicPath, headers: bearer("admin-token") + [("Content-Type", "text/plain")], text: "hi").status == .created)

            // The reader may read public/ only.
            let read = try await server.request(.GET, publicPath, headers: bearer("reader-token"))
            #expect(read.status == .ok)
            #expect(read.text == "hi")
            #expect(try await server.request(.HEAD, publicPath, headers: bearer("reader-token")).status == .ok)
            let append = try await server.request(.POST, publicPath, headers: bearer("reader-token") + [("Content-Type", "text/plain")], text: "x")
            #expect(append.status == .forbidden)
            #expect(append.header("WWW-Authenticate") == #"Bearer realm="durable-streams", error="insufficient_scope""#)
            #expect(append.text.contains("may not write"))
            #expect(try await server.request(.DELETE, publicPath, headers: bearer("reader-token")).status == .forbidden)
            #expect(try await server.request(.PUT, "public/" + uniquePath(), headers: bearer("reader-token")).status == .forbidden)

            // The writer may create, append, read and delete under team/ and nothing else.
            #expect(try await server.request(.PUT, teamPath, headers: bearer("writer-token") + [("Content-Type", "text/plain")]).status == .created)
            #expect(try await server.request(.POST, teamPath, headers: bearer("writer-token") + [("Content-Type", "text/plain")], text: "a").status == .noContent)
            #expect(try await server.request(.GET, teamPath, headers: bearer("writer-token")).text == "a")
            #expect(try await server.request(.GET, publicPath, headers: bearer("writer-token")).status == .forbidden)
            #expect(try await server.request(.GET, teamPath, headers: bearer("reader-token")).status == .forbidden)
            #expect(try await server.request(.DELETE, teamPath, headers: bearer("writer-token")).status == .noContent)
        }
    }

    @Test func aForkNeedsReadOnItsSource() async throws {
        try await TestServer.with(configure: { $0.authorizer = Self.authorizer }) { (server: TestServer) async throws in
            let source = "public/" + uniquePath()
            #expect(try await server.request(.PUT, source, headers: bearer("admin-token") + [("Content-Type", "text/plain")]).status == .created)
            let fork = try await server.request(
                .PUT, "team/" + uniquePath(),
                headers: bearer("writer-token") + [("Content-Type", "text/plain"), ("Stream-Forked-From", server.urlPath(source))]
            )
            #expect(fork.status == .forbidden)
            #expect(fork.text.contains("may not read \(source)"))
        }
    }

    @Test func preflightsNeedNoCredentials() async throws {
        try await TestServer.with(configure: { $0.authorizer = Self.authorizer }) { (server: TestServer) async throws in
            let preflight = try await server.request(.OPTIONS, "public/anything")
            #expect(preflight.status == .noContent)
            #expect(preflight.header("Access-Control-Allow-Headers")?.contains("Authorization") == true)
            #expect(preflight.header("Access-Control-Allow-Headers")?.contains("X-Request-Id") == true)
            // Browsers may read the challenge, the back-off and the request id.
            let refused = try await server.request(.GET, "public/anything")
            for name in ["WWW-Authenticate", "Retry-After", "X-Request-Id"] {
                #expect(refused.header("Access-Control-Expose-Headers")?.contains(name) == true)
            }
        }
    }

    @Test func metricsAndHealthAreProtectedSeparately() async throws {
        try await TestServer.with(configure: {
            $0.authorizer = Self.authorizer
            $0.operations.protectMetrics = true
            $0.useOwnPrometheusRegistry()
        }) { (server: TestServer) async throws in
            #expect(try await server.request(.GET, "/metrics").status == .unauthorized)
            #expect(try await server.request(.GET, "/metrics", headers: bearer("reader-token")).status == .forbidden)
            #expect(try await server.request(.GET, "/metrics", headers: bearer("scraper-token")).status == .ok)
            #expect(try await server.request(.GET, "/metrics", headers: bearer("admin-token")).status == .ok)
            // Health stays open unless protected too.
            #expect(try await server.request(.GET, "/healthz").status == .ok)
            #expect(try await server.request(.GET, "/readyz").status == .ok)
            let scrape = try await MetricsScrape.scrape(server, headers: bearer("admin-token"))
            #expect(scrape[#"ds_auth_denied_total{status="401"}"#] >= 1)
            #expect(scrape[#"ds_auth_denied_total{status="403"}"#] >= 1)
        }
        try await TestServer.with(configure: {
            $0.authorizer = Self.authorizer
            $0.operations.protectHealth = true
        }) { (server: TestServer) async throws in
            #expect(try await server.request(.GET, "/healthz").status == .unauthorized)
            #expect(try await server.request(.GET, "/readyz", headers: bearer("scraper-token")).status == .forbidden)
            #expect(try await server.request(.GET, "/healthz", headers: bearer("admin-token")).status == .ok)
        }
    }

    @Test func aCustomAuthoriserSeesMethodPathAndHeaders() async throws {
        let seen = SeenRequests()
        try await TestServer.with(configure: { $0.authorizer = seen }) { (server: TestServer) async throws in
            let path = uniquePath()
            #expect(try await server.request(.PUT, path, headers: [("X-Team", "blue"), ("Content-Type", "text/plain")]).status == .created)
            #expect(try await server.request(.GET, path, headers: [("X-Team", "red")]).status == .forbidden)
            let requests = seen.requests
            #expect(requests.count == 2)
            #expect(requests.first?.method == .PUT)
            #expect(requests.first?.resource == .stream(path: path, action: .create))
            #expect(requests.last?.resource == .stream(path: path, action: .read))
            #expect(requests.first?.clientAddress?.ipAddress == "127.0.0.1")
        }
    }
}

/// Allows team blue only, and remembers what it was asked.
private final class SeenRequests: StreamAuthorizer {
    private let storage = TestLockedBox<[AuthorizationRequest]>([])

    var requests: [AuthorizationRequest] { storage.value }

    func authorize(_ request: AuthorizationRequest) -> AuthorizationDecision {
        storage.mutate { $0.append(request) }
        return request.headers.first(name: "X-Team") == "blue" ? .allow(principal: "blue") : .forbidden(reason: "blue team only")
    }
}
