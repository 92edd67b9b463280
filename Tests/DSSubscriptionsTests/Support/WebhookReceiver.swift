import DSTestSupport
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A webhook receiver on `127.0.0.1:0`: records every request and answers with the current reply.
final class WebhookReceiver: Sendable {
    /// One received request.
    struct Received: Sendable {
        var headers: HTTPHeaders
        var body: [UInt8]
        /// Unix milliseconds when the request was complete.
        var arrivedAt = Int64(Date().timeIntervalSince1970 * 1000)
        var text: String { String(decoding: body, as: UTF8.self) }
        func json() throws -> [String: Any] {
            guard let object = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else { throw TestFailure("not an object: \(text)") }
            return object
        }
    }

    /// What to answer.
    struct Reply: Sendable {
        var status: HTTPResponseStatus
        var body: String
        static let done = Reply(status: .ok, body: #"{"done":true}"#)
        static let accepted = Reply(status: .accepted, body: "{}")
        static let failure = Reply(status: .internalServerError, body: "no")
    }

    let requests = Mailbox<Received>()
    private let replies = Mutex<[Reply]>([])
    private let fallback = Mutex(Reply.done)
    private let channel: any Channel

    private init(channel: any Channel) { self.channel = channel }

    static func start() async throws -> WebhookReceiver {
        let box = Mutex<WebhookReceiver?>(nil)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(ReceiverHandler { received in
                        guard let receiver = box.withLock({ $0 }) else { return .failure }
                        let reply = receiver.nextReply()
                        receiver.requests.put(received)
                        return reply
                    })
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let receiver = WebhookReceiver(channel: channel)
        box.withLock { $0 = receiver }
        return receiver
    }

    /// `http://127.0.0.1:<port>/hook`.
    var url: String { "http://127.0.0.1:\(channel.localAddress!.port!)/hook" }

    /// Queues replies for the next requests (then the fallback applies).
    func enqueue(_ replies: Reply...) { self.replies.withLock { $0 += replies } }

    /// The reply once the queue is empty.
    func setFallback(_ reply: Reply) { fallback.withLock { $0 = reply } }

    private func nextReply() -> Reply {
        replies.withLock { $0.isEmpty ? nil : $0.removeFirst() } ?? fallback.withLock { $0 }
    }

    func stop() async throws { try await channel.close() }
}

private final class ReceiverHandler: ChannelInboundHandler, @unchecked Sendable {
    // Used only on its channel's event loop.
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let respond: @Sendable (WebhookReceiver.Received) -> WebhookReceiver.Reply
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []

    init(respond: @escaping @Sendable (WebhookReceiver.Received) -> WebhookReceiver.Reply) { self.respond = respond }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = []
        case .body(let buffer):
            body += buffer.readableBytesView
        case .end:
            guard let head else { return }
            let reply = respond(WebhookReceiver.Received(headers: head.headers, body: body))
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "application/json")
            headers.add(name: "Content-Length", value: String(reply.body.utf8.count))
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: reply.status, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: reply.body)))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }
}
