import NIOCore
import Synchronization

/// Writes SSE bytes as the body of an event-stream response; ``finish()`` ends the response and closes the connection.
///
/// Keeps the server's pending-outbound gauge current without a promise per write: after each flush it reads
/// how many bytes the channel still holds (normally none: the socket took them) and reports the change.
///
/// The writer frames the body itself and writes from the connection handler's context, straight to the socket
/// (or TLS): over HTTP/1.1 the bytes of each flush become one chunk (`<hex length>\r\n`, the bytes, `\r\n`) and
/// ``finish()`` writes the last chunk; over HTTP/1.0 the body is the bytes themselves, ended by the close.
final class ChannelSSEWriter: SSEWriter {
    private let channel: any Channel
    private let gauge: LiveRequestTracker
    private let onFinish: NIOLoopBound<() -> Void>
    private let state: NIOLoopBoundBox<(finished: Bool, reportedPending: Int)>
    /// Bytes sent without a flush, held so they leave in the same chunk as the next bytes (an event's data
    /// event and its control event: one chunk header and trailer for both).
    private let held: NIOLoopBoundBox<ByteBuffer?>
    /// The buffer small flushes are copied into, reused once the socket took the previous one.
    private let scratch: NIOLoopBoundBox<ByteBuffer?>
    private let written = Atomic<Int>(0)
    /// The connection handler's context: writes go to the handlers below it.
    private let context: NIOLoopBound<ChannelHandlerContext>
    /// Whether the body is chunked (HTTP/1.1); an HTTP/1.0 body is the bytes themselves, ended by the close.
    private let chunked: Bool
    private static let crlf = ByteBuffer(string: "\r\n")
    private static let lastChunk = ByteBuffer(string: "0\r\n\r\n")

    init(
        context: ChannelHandlerContext,
        chunked: Bool,
        gauge: LiveRequestTracker,
        onFinish: @escaping () -> Void
    ) {
        self.channel = context.channel
        self.context = NIOLoopBound(context, eventLoop: context.eventLoop)
        self.chunked = chunked
        self.gauge = gauge
        self.onFinish = NIOLoopBound(onFinish, eventLoop: context.eventLoop)
        self.state = NIOLoopBoundBox((false, 0), eventLoop: context.eventLoop)
        self.held = NIOLoopBoundBox(nil, eventLoop: context.eventLoop)
        self.scratch = NIOLoopBoundBox(nil, eventLoop: context.eventLoop)
    }

    func write(_ buffer: ByteBuffer, flush: Bool) -> EventLoopFuture<Void> {
        guard !state.value.finished else { return channel.eventLoop.makeFailedFuture(ChannelError.ioOnClosedChannel) }
        let promise = channel.eventLoop.makePromise(of: Void.self)
        writeFramed(buffer, promise: promise)
        if flush {
            context.value.flush()
            reportPending()
            promise.futureResult.whenComplete { [self] _ in self.reportPending() }
        }
        return promise.futureResult
    }

    func send(_ buffer: ByteBuffer, flush: Bool) {
        guard !state.value.finished else { return }
        guard flush else {
            writeHeld()
            held.value = buffer
            return
        }
        writeFramed(buffer, promise: nil)
        context.value.flush()
        reportPending()
    }

    /// Writes the held bytes, if any, as a chunk of their own.
    private func writeHeld() {
        guard let earlier = held.value else { return }
        held.value = nil
        writeFramed(earlier, promise: nil)
    }

    /// Writes any held bytes and then `buffer` as one chunk (or as is, unchunked); `promise` completes once all
    /// of it left.
    ///
    /// A small chunk (a live event and its control event, a few hundred bytes) is copied into one buffer with its
    /// framing: one write through the pipeline and one `write` system call instead of four buffers to `writev`.
    private func writeFramed(_ buffer: ByteBuffer, promise: EventLoopPromise<Void>?) {
        let context = self.context.value
        let earlier = held.value
        held.value = nil
        let length = buffer.readableBytes + (earlier?.readableBytes ?? 0)
        written.wrappingAdd(length, ordering: .relaxed)
        if length <= Self.coalescedBytes {
            var bytes = scratch.value ?? channel.allocator.buffer(capacity: 512)
            scratch.value = nil
            bytes.clear()
            if chunked && length > 0 { Self.writeChunkHeader(length, into: &bytes) }
            if let earlier { bytes.writeImmutableBuffer(earlier) }
            bytes.writeImmutableBuffer(buffer)
            if chunked && length > 0 { bytes.writeStaticString("\r\n") }
            context.write(NIOAny(bytes), promise: promise)
            // Kept for the next chunk; should the socket not have taken it by then, clearing it copies (safe).
            if bytes.capacity <= Self.coalescedBytes * 2 { scratch.value = bytes }
            return
        }
        guard chunked && length > 0 else {
            if let earlier { context.write(NIOAny(earlier), promise: nil) }
            context.write(NIOAny(buffer), promise: promise)
            return
        }
        context.write(NIOAny(Self.chunkHeader(length, allocator: channel.allocator)), promise: nil)
        if let earlier { context.write(NIOAny(earlier), promise: nil) }
        if buffer.readableBytes > 0 { context.write(NIOAny(buffer), promise: nil) }
        context.write(NIOAny(Self.crlf), promise: promise)
    }

    /// Chunks up to this many bytes are copied into one buffer with their framing (see ``writeFramed(_:promise:)``).
    static let coalescedBytes = 4096

    /// `<length in hex>\r\n`, written without formatting a `String`.
    static func chunkHeader(_ length: Int, allocator: ByteBufferAllocator) -> ByteBuffer {
        var header = allocator.buffer(capacity: 18)
        writeChunkHeader(length, into: &header)
        return header
    }

    /// Appends `<length in hex>\r\n` to `buffer`.
    static func writeChunkHeader(_ length: Int, into buffer: inout ByteBuffer) {
        ResponseHeadWriter.writeHexadecimal(UInt64(length), into: &buffer)
        buffer.writeStaticString("\r\n")
    }

    var isWritable: Bool { channel.isWritable }

    /// Body bytes written so far (for the request log and metrics).
    var bytesWritten: Int { written.load(ordering: .relaxed) }

    func finish() {
        guard !state.value.finished else { return }
        if channel.isActive { writeHeld() }
        held.value = nil
        state.value.finished = true
        if chunked && channel.isActive { context.value.write(NIOAny(Self.lastChunk), promise: nil) }
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
