import NIOCore

/// Receives the parts of the responses on one client connection, on its event loop.
protocol ResponseConsumer: AnyObject {
    func responseHead(_ head: ResponseHead)
    func responseBody(_ buffer: ByteBuffer)
    func responseEnd()
    /// The connection closed (once); `error` is what closed it, if anything.
    func connectionClosed(error: (any Error)?)
}

extension ResponseConsumer {
    func responseBody(_ buffer: ByteBuffer) {}
}

/// The only handler of a benchmark client connection: writes pre-encoded requests and parses responses
/// with ``ResponseParser``, forwarding them to whichever ``ResponseConsumer`` drives the connection.
/// No futures, closures or header dictionaries per request.
final class ClientHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var context: ChannelHandlerContext?
    private let parser = ResponseParser()
    private var error: (any Error)?
    private var closed = false
    var consumer: (any ResponseConsumer)?

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    /// Writes and flushes one request.
    func send(_ request: RequestTemplate) {
        send(request.bytes, bodyAllowed: request.method != .HEAD)
    }

    /// Writes and flushes one encoded request; `bodyAllowed` is false for `HEAD`.
    func send(_ bytes: ByteBuffer, bodyAllowed: Bool = true) {
        guard let context else { return }
        parser.expectResponse(bodyAllowed: bodyAllowed)
        context.writeAndFlush(wrapOutboundOut(bytes), promise: nil)
    }

    func close() { context?.close(promise: nil) }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let consumer else { return }
        do {
            try parser.feed(unwrapInboundIn(data), consumer)
        } catch {
            errorCaught(context: context, error: error)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !closed {
            closed = true
            if let consumer {
                parser.connectionClosed(consumer)
                consumer.connectionClosed(error: error)
            }
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if self.error == nil { self.error = error }
        context.close(promise: nil)
    }
}
