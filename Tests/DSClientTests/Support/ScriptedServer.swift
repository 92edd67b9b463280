import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A request as a ``ScriptedServer`` saw it.
struct ScriptedRequest: Sendable {
    var method: String
    var path: String
    var query: [String: String]
    var headers: [String: String]
}

/// A canned response.
struct ScriptedResponse: Sendable {
    var status: Int
    var headers: [(String, String)] = []
    var body: [UInt8] = []

    init(_ status: Int, _ headers: [(String, String)] = [], body: String = "") {
        self.status = status
        self.headers = headers
        self.body = Array(body.utf8)
    }
}

/// A tiny HTTP server whose every answer comes from a closure: for client behaviour a real server never shows
/// (refusing SSE, 429/503 with `Retry-After`, offsets that look nothing like ours).
final class ScriptedServer: Sendable {
    typealias Handler = @Sendable (ScriptedRequest) -> ScriptedResponse

    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private let channel = Mutex<(any Channel)?>(nil)
    private let seen = Mutex<[ScriptedRequest]>([])

    static func start(_ handler: @escaping Handler) async throws -> ScriptedServer {
        let server = ScriptedServer()
        let bound = try await ServerBootstrap(group: server.group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(ScriptHandler(server: server, handler: handler))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        server.channel.withLock { $0 = bound }
        return server
    }

    /// `http://127.0.0.1:PORT` + `path`.
    func url(_ path: String) -> String {
        let port = channel.withLock { $0?.localAddress?.port } ?? 0
        return "http://127.0.0.1:\(port)\(path)"
    }

    /// Every request answered so far.
    var requests: [ScriptedRequest] { seen.withLock { $0 } }

    fileprivate func record(_ request: ScriptedRequest) { seen.withLock { $0.append(request) } }

    func stop() async throws {
        let bound = channel.withLock { $0 }
        try? await bound?.close()
        try await group.shutdownGracefully()
    }
}

private final class ScriptHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let server: ScriptedServer
    private let handler: ScriptedServer.Handler
    private var head: HTTPRequestHead?

    init(server: ScriptedServer, handler: @escaping ScriptedServer.Handler) {
        self.server = server
        self.handler = handler
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let requestHead):
            head = requestHead
        case .body:
            break
        case .end:
            guard let requestHead = head else { return }
            let components = URLComponents(string: requestHead.uri)
            var query: [String: String] = [:]
            for item in components?.queryItems ?? [] { query[item.name] = item.value ?? "" }
            var headers: [String: String] = [:]
            for (name, value) in requestHead.headers { headers[name.lowercased()] = value }
            let request = ScriptedRequest(
                method: requestHead.method.rawValue, path: components?.path ?? requestHead.uri, query: query, headers: headers
            )
            server.record(request)
            let response = handler(request)
            var responseHeaders = HTTPHeaders(response.headers)
            responseHeaders.replaceOrAdd(name: "Content-Length", value: String(response.body.count))
            let status = HTTPResponseStatus(statusCode: response.status)
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: responseHeaders))), promise: nil)
            if !response.body.isEmpty && requestHead.method != .HEAD {
                context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: response.body)))), promise: nil)
            }
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }
}
