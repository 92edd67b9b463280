import NIOCore
import NIOHTTP1

/// Writes SSE bytes as HTTP body parts on a channel; ``finish()`` ends the response and closes the connection.
final class ChannelSSEWriter: SSEWriter {
    private let channel: any Channel
    private let onFinish: NIOLoopBound<() -> Void>
    private let finished: NIOLoopBoundBox<Bool>

    init(channel: any Channel, onFinish: @escaping () -> Void) {
        self.channel = channel
        self.onFinish = NIOLoopBound(onFinish, eventLoop: channel.eventLoop)
        self.finished = NIOLoopBoundBox(false, eventLoop: channel.eventLoop)
    }

    func write(_ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(buffer)))
    }

    /// Without a promise: a promise on a chunked body part makes the encoder combine three futures, and the
    /// SSE fan-out profile showed those futures among the top costs per delivered event.
    func send(_ buffer: ByteBuffer) {
        channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(buffer)), promise: nil)
    }

    var isWritable: Bool { channel.isWritable }

    func finish() {
        guard !finished.value else { return }
        finished.value = true
        onFinish.value()
    }

    /// Writability changes need no action: the session checks ``isWritable`` and waits on write futures.
    func writabilityChanged() {}
}
