@testable import DSServer
import Testing

/// The router's contract, pinned before its byte-level rewrite (the append profile showed its `String`
/// `Character` walking as the largest piece of our own code per request).
struct StreamPathRouterTests {
    let router = StreamPathRouter(streamRoot: "/v1/stream/")

    @Test func streamPathsQueriesAndURLPath() {
        #expect(router.route("/v1/stream/a/b") == .stream(path: "a/b", urlPath: "/v1/stream/a/b", query: [:]))
        #expect(
            router.route("/v1/stream/a?offset=-1&live=long-poll&offset=2")
                == .stream(path: "a", urlPath: "/v1/stream/a", query: ["offset": "-1", "live": "long-poll"])
        )
        #expect(router.route("/v1/stream/a?x=1+2&y=%41&flag") == .stream(path: "a", urlPath: "/v1/stream/a", query: ["x": "1 2", "y": "A", "flag": ""]))
        #expect(router.route("/v1/stream/?offset=1") == .stream(path: "", urlPath: "/v1/stream/", query: ["offset": "1"]))
        #expect(router.route("/v1/stream/caf%C3%A9%20x") == .stream(path: "café x", urlPath: "/v1/stream/caf%C3%A9%20x", query: [:]))
        #expect(router.route("/v1/stream/a+b") == .stream(path: "a+b", urlPath: "/v1/stream/a+b", query: [:]))
        #expect(router.route("/v1/stream/ü") == .stream(path: "ü", urlPath: "/v1/stream/ü", query: [:]))
    }

    @Test func outsideReservedAndInvalid() {
        #expect(router.route("/v1/stream") == .outside)
        #expect(router.route("/other/a") == .outside)
        #expect(router.route("/v1/streamx/a") == .outside)
        #expect(router.route("/v1/stream/__ds/subscriptions?x=1") == .reserved(subpath: "/subscriptions", query: ["x": "1"]))
        #expect(router.route("/v1/stream/__ds") == .reserved(subpath: "", query: [:]))
        #expect(router.route("/v1/stream/__dsx") == .stream(path: "__dsx", urlPath: "/v1/stream/__dsx", query: [:]))
        #expect(router.route("/v1/stream/%5F_ds/x") == .reserved(subpath: "/x", query: [:]))
        for bad in ["/v1/stream/a/../b", "/v1/stream/..", "/v1/stream/./a", "/v1/stream/a/.", "/v1/stream/%2e%2E/x", "/v1/stream/a%00b"] {
            guard case .invalid = router.route(bad) else {
                Issue.record("\(bad) should be invalid")
                continue
            }
        }
        #expect(router.route("/v1/stream/a/.../b") == .stream(path: "a/.../b", urlPath: "/v1/stream/a/.../b", query: [:]))
        #expect(router.route("/v1/stream/.a") == .stream(path: ".a", urlPath: "/v1/stream/.a", query: [:]))
        if case .invalid = router.route("/v1/stream/a%zz") {} else { Issue.record("bad escape should be invalid") }
        if case .invalid = router.route("/v1/stream/a%C3") {} else { Issue.record("truncated UTF-8 should be invalid") }
        if case .invalid = router.route("/v1/stream/a?x=%") {} else { Issue.record("bad query escape should be invalid") }
    }
}
