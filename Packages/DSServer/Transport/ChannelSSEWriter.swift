import NIOCore
import NIOHTTP1
import Synchronization

/// Writes SSE bytes as HTTP body parts on a channel; ``finish()`` ends the response and closes the connection.
///
/// Keeps the server's pending-outbound gauge current without a promise per write: after each flush it reads
/// how many bytes the channel still holds (normally none: the socket took them) and reports the change.
///
/// Events sent with ``send(_:flush:)`` skip the HTTP pipelining handler and response encoder: given the encoder's
/// context, the writer frames each chunk itself (`<hex length>\r\n`, the event, `\r\n`) and writes it below
/// them. In the fan-out profile those two handlers (three writes and a `String` per chunk in the encoder) were a
/// fifth of the server's CPU. The response's head and end still go through them.
final class ChannelSSEWriter: SSEWriter {
    private let channel: any Channel
    private let gauge: LiveRequestTracker
    private let onFinish: NIOLoopBound<() -> Void>
    private let state: NIOLoopBoundBox<(finished: Bool, reportedPending: Int)>
    private let written = Atomic<Int>(0)
    /// The response encoder's context, to write framed chunks below it; `nil` to write through the pipeline.
    private let below: NIOLoopBound<ChannelHandlerContext>?
    /// Whether the body is chunked (HTTP/1.1); an HTTP/1.0 body is the bytes themselves, ended by the close.
    private let chunked: Bool
    private static let crlf = ByteBuffer(string: "\r\n")

    init(
        channel: any Channel,
        encoderContext: ChannelHandlerContext?,
        chunked: Bool,
        gauge: LiveRequestTracker,
        onFinish: @escaping () -> Void
    ) {
        self.channel = channel
        self.below = encoderContext.map { NIOLoopBound($0, eventLoop: channel.eventLoop) }
        self.chunked = chunked
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
        guard let below = below?.value else {
            _ = write(buffer, flush: flush)
            return
        }
        guard !state.value.finished else { return }
        written.wrappingAdd(buffer.readableBytes, ordering: .relaxed)
        if buffer.readableBytes > 0 {
            if chunked {
                below.write(NIOAny(IOData.byteBuffer(Self.chunkHeader(buffer.readableBytes, allocator: channel.allocator))), promise: nil)
                below.write(NIOAny(IOData.byteBuffer(buffer)), promise: nil)
                below.write(NIOAny(IOData.byteBuffer(Self.crlf)), promise: nil)
            } else {
                below.write(NIOAny(IOData.byteBuffer(buffer)), promise: nil)
            }
        }
        if flush {
            below.flush()
            reportPending()
        }
    }

    /// `<length in hex>\r\n`, written without formatting a `String`.
    static func chunkHeader(_ length: Int, allocator: ByteBufferAllocator) -> ByteBuffer {
        var header = allocator.buffer(capacity: 18)
        var shift = 0
        while shift < 60 && length >> (shift + 4) > 0 { shift += 4 }
        while shift >= 0 {
            let digit = UInt8((length >> shift) & 0xF)
            header.writeInteger(digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "a") + digit - 10)
            shift -= 4
        }
        header.writeStaticString("\r\n")
        return header
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
