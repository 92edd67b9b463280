import NIOCore
import NIOHTTP1
import Synchronization

/// Writes SSE bytes as HTTP body parts on a channel; ``finish()`` ends the response and closes the connection.
final class ChannelSSEWriter: SSEWriter {
    private let channel: any Channel
    private let onFinish: NIOLoopBound<() -> Void>
    private let finished: NIOLoopBoundBox<Bool>
    private let written = Atomic<Int>(0)

    init(channel: any Channel, onFinish: @escaping () -> Void) {
        self.channel = channel
        self.onFinish = NIOLoopBound(onFinish, eventLoop: channel.eventLoop)
        self.finished = NIOLoopBoundBox(false, eventLoop: channel.eventLoop)
    }

    func write(_ buffer: ByteBuffer, flush: Bool) -> EventLoopFuture<Void> {
        written.wrappingAdd(buffer.readableBytes, ordering: .relaxed)
        let part = HTTPServerResponsePart.body(.byteBuffer(buffer))
        return flush ? channel.writeAndFlush(part) : channel.write(part)
    }

    var isWritable: Bool { channel.isWritable }

    /// Body bytes written so far (for the request log and metrics).
    var bytesWritten: Int { written.load(ordering: .relaxed) }

    func finish() {
        guard !finished.value else { return }
        finished.value = true
        onFinish.value()
    }

    /// Writability changes need no action: the session checks ``isWritable`` and waits on write futures.
    func writabilityChanged() {}
}
