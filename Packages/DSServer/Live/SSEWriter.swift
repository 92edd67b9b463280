import NIOCore

/// The transport side of an SSE response, as an ``SSESession`` sees it.
public protocol SSEWriter: Sendable {
    /// Writes `buffer`, flushing when asked; the future completes once it was handed to the socket.
    func write(_ buffer: ByteBuffer, flush: Bool) -> EventLoopFuture<Void>
    /// False when the connection's outbound buffer is above its high-water mark: stop producing until it drains.
    var isWritable: Bool { get }
    /// Ends the response and closes the connection.
    func finish()
}
