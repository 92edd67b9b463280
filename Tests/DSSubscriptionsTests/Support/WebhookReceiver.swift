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
        /// Whether the answer waits for ``releaseHeld()``, keeping the delivery in flight until then.
        var held = false
        static let done = Reply(status: .ok, body: #"{"done":true}"#)
        /// `done`, sent only once the test calls ``releaseHeld()``.
        static let heldDone = Reply(status: .ok, body: #"{"done":true}"#, held: true)
        static let accepted = Reply(status: .accepted, body: "{}")
        static let failure = Reply(status: .internalServerError, body: "no")
    }

    let requests = Mailbox<Received>()
    private let replies = Mutex<[Reply]>([])
    private let fallback = Mutex(Reply.done)
    /// Answers of held replies not yet sent; `nil` once released, when held replies are answered at once.
    private let heldAnswers = Mutex<[@Sendable () -> Void]?>([])
    private let channel: any Channel

    private init(channel: any Channel) { self.channel = channel }

    static func start() async throws -> WebhookReceiver {
        let box = Mutex<WebhookReceiver?>(nil)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(ReceiverHandler(
                        respond: { received in
                            guard let receiver = box.withLock({ $0 }) else { return .failure }
                            let reply = receiver.nextReply()
                            receiver.requests.put(received)
                            return reply
                        },
                        hold: { answer in box.withLock({ $0 })?.hold(answer) ?? answer() }
                    ))
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

    /// Sends the answers of held replies, and answers later held replies at once.
    func releaseHeld() {
        let answers = heldAnswers.withLock { answers in
            defer { answers = nil }
            return answers ?? []
        }
        for answer in answers { answer() }
    }

    private func hold(_ answer: @escaping @Sendable () -> Void) {
        let holding = heldAnswers.withLock { answers in
            guard answers != nil else { return false }
            answers!.append(answer)
            return true
        }
        if !holding { answer() }
    }

    func stop() async throws { try await channel.close() }
}

private final class ReceiverHandler: ChannelInboundHandler, @unchecked Sendable {
    // Used only on its channel's event loop.
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let respond: @Sendable (WebhookReceiver.Received) -> WebhookReceiver.Reply
    /// Keeps a held reply's answer until the test releases it.
    private let hold: @Sendable (@escaping @Sendable () -> Void) -> Void
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []

    init(
        respond: @escaping @Sendable (WebhookReceiver.Received) -> WebhookReceiver.Reply,
        hold: @escaping @Sendable (@escaping @Sendable () -> Void) -> Void
    ) {
        self.respond = respond
        self.hold = hold
    }

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
            guard reply.held else { return answer(reply, version: head.version, context: context) }
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            let version = head.version
            hold { bound.eventLoop.execute { bound.value.0.answer(reply, version: version, context: bound.value.1) } }
        }
    }

    private func answer(_ reply: WebhookReceiver.Reply, version: HTTPVersion, context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Content-Length", value: String(reply.body.utf8.count))
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: version, status: reply.status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: reply.body)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}
