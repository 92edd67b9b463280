import NIOCore
import NIOHTTP1

/// Receives the parts of the responses on one client connection, on its event loop.
protocol ResponseConsumer: AnyObject {
    func responseHead(_ head: HTTPResponseHead)
    func responseBody(_ buffer: ByteBuffer)
    func responseEnd()
    /// The connection closed (once); `error` is what closed it, if anything.
    func connectionClosed(error: (any Error)?)
}

extension ResponseConsumer {
    func responseBody(_ buffer: ByteBuffer) {}
}

/// The last handler of a benchmark client pipeline: sends requests and forwards response parts to
/// whichever ``ResponseConsumer`` drives the connection. No futures or closures per request.
final class ClientHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    private var context: ChannelHandlerContext?
    private var error: (any Error)?
    private var closed = false
    var consumer: (any ResponseConsumer)?

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    /// Writes and flushes one request.
    func send(_ head: HTTPRequestHead, body: ByteBuffer?) {
        guard let context else { return }
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if let body, body.readableBytes > 0 { context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    func close() { context?.close(promise: nil) }

    var eventLoop: (any EventLoop)? { context?.eventLoop }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): consumer?.responseHead(head)
        case .body(let buffer): consumer?.responseBody(buffer)
        case .end: consumer?.responseEnd()
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !closed {
            closed = true
            consumer?.connectionClosed(error: error)
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if self.error == nil { self.error = error }
        context.close(promise: nil)
    }
}
