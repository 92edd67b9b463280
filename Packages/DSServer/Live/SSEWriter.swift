import NIOHTTP1
import NIOCore

/// The transport side of an SSE response, as an ``SSESession`` sees it.
public protocol SSEWriter: Sendable {
    /// Writes `buffer`, flushing when asked; the future completes once it was handed to the socket.
    func write(_ buffer: ByteBuffer, flush: Bool) -> EventLoopFuture<Void>
    /// Writes `buffer`, flushing when asked, without reporting back: the session's usual way to send, as a
    /// write that reports costs a promise (and, through a chunked encoder, several).
    func send(_ buffer: ByteBuffer, flush: Bool)
    /// False when the connection's outbound buffer is above its high-water mark: stop producing until it drains.
    var isWritable: Bool { get }
    /// Ends the response and closes the connection.
    func finish()
}

extension SSEWriter {
    /// Sends through ``write(_:flush:)``, ignoring its future.
    public func send(_ buffer: ByteBuffer, flush: Bool) {
        _ = write(buffer, flush: flush)
    }
}
