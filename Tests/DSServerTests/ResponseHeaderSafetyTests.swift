@testable import DSServer
import DSProtocol
import DSStore
import DSTestSupport
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// NIO's response-header validation is off; these pin what replaces it: options that become header values are
/// checked at start, and responses made outside the stream protocol are checked before they are sent.
struct ResponseHeaderSafetyTests {
    @Test func optionsThatBecomeHeaderValuesAreCheckedAtStart() async throws {
        let broken: [(String, (inout ServerOptions) -> Void)] = [
            ("cors.allowOrigin", { $0.cors = CORSOptions(allowOrigin: "https://a.example\r\nX-Injected: 1") }),
            ("crossOriginResourcePolicy", { $0.crossOriginResourcePolicy = "same-origin\nX-Injected: 1" }),
            ("operations.metricsContentType", { $0.operations.metricsContentType = "text/plain\u{0}" }),
        ]
        for (name, configure) in broken {
            var options = ServerOptions(port: 0, host: "127.0.0.1", store: MemoryStreamStore(), eventLoopThreads: 1)
            configure(&options)
            let server = DurableStreamServer(options: options)
            await #expect(throws: ServerConfigurationError.self, "\(name)") { try await server.start() }
            try await server.stop()
        }
    }

    @Test func aControlAPIResponseWithAnUnsafeHeaderIsNotSent() async throws {
        try await TestServer.with(.memory, configure: { $0.controlAPI = HeaderEchoControlAPI() }) { server in
            let safe = try await server.request(.GET, "__ds/echo?value=plain")
            #expect(safe.status == .ok)
            #expect(safe.headers.first(name: "X-Echo") == "plain")
            let unsafe = try await server.request(.GET, "__ds/echo?value=a%0D%0AX-Injected:%201")
            #expect(unsafe.status == .internalServerError)
            #expect(unsafe.headers.first(name: "X-Injected") == nil)
        }
    }

    @Test func headerSafetyRules() {
        #expect(HeaderSafety.isSafeValue("text/plain; charset=utf-8"))
        #expect(HeaderSafety.isSafeValue(""))
        #expect(!HeaderSafety.isSafeValue("a\rb"))
        #expect(!HeaderSafety.isSafeValue("a\nb"))
        #expect(!HeaderSafety.isSafeValue("a\u{0}b"))
        #expect(HeaderSafety.isSafeName("X-Request-Id"))
        #expect(!HeaderSafety.isSafeName(""))
        #expect(!HeaderSafety.isSafeName("Bad Name"))
        #expect(!HeaderSafety.isSafeName("Bad:Name"))
        #expect(HeaderSafety.areSafe(["A": "1", "B": "2"]))
        #expect(!HeaderSafety.areSafe(["A": "1", "B": "2\r\n"]))
    }
}

/// A control API that echoes the `value` query parameter as a response header.
private struct HeaderEchoControlAPI: ReservedRouteHandler {
    func start(_ environment: ControlEnvironment) async throws {}

    func handle(_ request: ControlRequest, context: RequestContext) -> EventLoopFuture<StreamResponse> {
        var headers = HTTPHeaders()
        headers.add(name: "X-Echo", value: request.query["value"] ?? "")
        return context.eventLoop.makeSucceededFuture(StreamResponse(status: .ok, headers: headers))
    }

    func streamAppended(path: String, tail: StreamOffset) {}
    func streamLifecycleEvent(_ event: StreamLifecycleEvent) {}
    func stop() async {}
}
