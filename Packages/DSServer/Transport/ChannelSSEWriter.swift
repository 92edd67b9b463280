import NIOCore
import NIOHTTP1
import Synchronization

/// Writes SSE bytes as HTTP body parts on a channel; ``finish()`` ends the response and closes the connection.
///
/// Keeps the server's pending-outbound gauge current without a promise per write: after each flush it reads
/// how many bytes the channel still holds (normally none: the socket took them) and reports the change.
final class ChannelSSEWriter: SSEWriter {
    private let channel: any Channel
    private let gauge: LiveRequestTracker
    private let onFinish: NIOLoopBound<() -> Void>
    private let state: NIOLoopBoundBox<(finished: Bool, reportedPending: Int)>
    private let written = Atomic<Int>(0)

    init(channel: any Channel, gauge: LiveRequestTracker, onFinish: @escaping () -> Void) {
        self.channel = channel
        self.gauge = gauge
        self.onFinish = NIOLoopBound(onFinish, eventLoop: channel.eventLoop)
        self.state = NIOLoopBoundBox((false, 0), eventLoop: channel.eventLoop)
    }

    func write(_ buffer: ByteBuffer, flush: Bool) -> EventLoopFuture<Void> {
        written.wrappingAdd(buffer.readableBytes, ordering: .relaxed)
        let part = HTTPServerResponsePart.body(.byteBuffer(buffer))
        let future = flush ? channel.writeAndFlush(part) : channel.write(part)
        if flush {
            reportPending()
            future.whenComplete { [self] _ in self.reportPending() }
        }
        return future
    }

    func send(_ buffer: ByteBuffer, flush: Bool) {
        written.wrappingAdd(buffer.readableBytes, ordering: .relaxed)
        let part = HTTPServerResponsePart.body(.byteBuffer(buffer))
        if flush {
            channel.writeAndFlush(part, promise: nil)
            reportPending()
        } else {
            channel.write(part, promise: nil)
        }
    }

    var isWritable: Bool { channel.isWritable }

    /// Body bytes written so far (for the request log and metrics).
    var bytesWritten: Int { written.load(ordering: .relaxed) }

    func finish() {
        guard !state.value.finished else { return }
        state.value.finished = true
        gauge.addPendingOutbound(-state.value.reportedPending)
        state.value.reportedPending = 0
        onFinish.value()
    }

    /// The connection drained below its low-water mark (or filled): refresh the gauge.
    func writabilityChanged() {
        reportPending()
    }

    /// Reports the change in the bytes the channel holds that the socket has not taken yet.
    private func reportPending() {
        guard !state.value.finished else { return }
        let pending = (try? channel.syncOptions?.getOption(.bufferedWritableBytes)) ?? 0
        let change = pending - state.value.reportedPending
        guard change != 0 else { return }
        state.value.reportedPending = pending
        gauge.addPendingOutbound(change)
    }
}
