@testable import DSServer
import Testing

/// What the router answers for request targets and fork sources; pinned so the router can be rewritten for
/// speed (it runs once per request) without changing what it accepts.
struct StreamPathRouterTests {
    private let router = StreamPathRouter(streamRoot: "/v1/stream/")

    @Test func streamTargetsSplitIntoPathURLPathAndQuery() {
        #expect(router.route("/v1/stream/room/1") == .stream(path: "room/1", urlPath: "/v1/stream/room/1", query: [:]))
        #expect(
            router.route("/v1/stream/r?offset=-1&live=long-poll&offset=7&cursor=")
                == .stream(path: "r", urlPath: "/v1/stream/r", query: ["offset": "-1", "live": "long-poll", "cursor": ""])
        )
        #expect(router.route("/v1/stream/r?a=1+2&b=%7E&flag&&") == .stream(path: "r", urlPath: "/v1/stream/r", query: ["a": "1 2", "b": "~", "flag": ""]))
        #expect(router.route("/v1/stream/r?") == .stream(path: "r", urlPath: "/v1/stream/r", query: [:]))
        #expect(router.route("/v1/stream/r?x=a=b") == .stream(path: "r", urlPath: "/v1/stream/r", query: ["x": "a=b"]))
        #expect(router.route("/v1/stream/") == .stream(path: "", urlPath: "/v1/stream/", query: [:]))
    }

    @Test func pathsArePercentDecodedButPlusIsLiteral() {
        #expect(router.route("/v1/stream/caf%C3%A9%20b") == .stream(path: "café b", urlPath: "/v1/stream/caf%C3%A9%20b", query: [:]))
        #expect(router.route("/v1/stream/a+b") == .stream(path: "a+b", urlPath: "/v1/stream/a+b", query: [:]))
        #expect(router.route("/v1/stream/ö/ü") == .stream(path: "ö/ü", urlPath: "/v1/stream/ö/ü", query: [:]))
        #expect(router.route("/v1/stream/a%2Fb") == .stream(path: "a/b", urlPath: "/v1/stream/a%2Fb", query: [:]))
    }

    @Test func targetsOutsideTheRoot() {
        for target in ["/v1/stream", "/v1/strea", "/", "/health", "/v1/streams/a", "/v2/stream/a", "*", "/v1/stream?x=/v1/stream/"] {
            #expect(router.route(target) == .outside, "\(target)")
        }
    }

    @Test func reservedNamespace() {
        #expect(router.route("/v1/stream/__ds/subscriptions?limit=5") == .reserved(subpath: "/subscriptions", query: ["limit": "5"]))
        #expect(router.route("/v1/stream/__ds") == .reserved(subpath: "", query: [:]))
        #expect(router.route("/v1/stream/__ds/") == .reserved(subpath: "/", query: [:]))
        #expect(router.route("/v1/stream/%5F%5Fds/x") == .reserved(subpath: "/x", query: [:]))
        #expect(router.route("/v1/stream/__dsx") == .stream(path: "__dsx", urlPath: "/v1/stream/__dsx", query: [:]))
        #expect(router.route("/v1/stream/a/__ds") == .stream(path: "a/__ds", urlPath: "/v1/stream/a/__ds", query: [:]))
    }

    @Test func refusedTargets() {
        let refused = [
            "/v1/stream/..", "/v1/stream/.", "/v1/stream/a/../b", "/v1/stream/./a", "/v1/stream/a/.", "/v1/stream/a/..",
            "/v1/stream/%2E%2e/x", "/v1/stream/a%00b", "/v1/stream/a%zz", "/v1/stream/a%4", "/v1/stream/a%C3",
            "/v1/stream/a?x=%", "/v1/stream/a?%ZZ=1", "/v1/stream/a?x=%FF",
        ]
        for target in refused {
            guard case .invalid = router.route(target) else {
                Issue.record("\(target) should be refused")
                continue
            }
        }
        #expect(router.route("/v1/stream/a/.../b") == .stream(path: "a/.../b", urlPath: "/v1/stream/a/.../b", query: [:]))
        #expect(router.route("/v1/stream/.a/b.") == .stream(path: ".a/b.", urlPath: "/v1/stream/.a/b.", query: [:]))
        #expect(router.route("/v1/stream/a//b") == .stream(path: "a//b", urlPath: "/v1/stream/a//b", query: [:]))
    }

    @Test func splitQueryOfAnyTarget() {
        #expect(StreamPathRouter.splitQuery("/metrics?x=1") == ("/metrics", "x=1"))
        #expect(StreamPathRouter.splitQuery("/metrics") == ("/metrics", ""))
        #expect(StreamPathRouter.splitQuery("/a?b?c") == ("/a", "b?c"))
    }

    @Test func forkSources() {
        #expect(router.forkSource("/v1/stream/src/a") == .stream("src/a"))
        #expect(router.forkSource("src%20a") == .stream("src a"))
        #expect(router.forkSource("http://example.com:8080/v1/stream/s") == .stream("s"))
        #expect(router.forkSource("/elsewhere/s") == .noStream)
        #expect(router.forkSource("/v1/stream/__ds/x") == .noStream)
        #expect(router.forkSource("__ds") == .noStream)
        #expect(router.forkSource("") == .malformed)
        #expect(router.forkSource("a/../b") == .malformed)
        #expect(router.forkSource("http://host") == .malformed)
        #expect(router.forkSource("a%zz") == .malformed)
    }
}
