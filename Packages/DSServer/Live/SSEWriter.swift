import NIOCore

/// The transport side of an SSE response, as an ``SSESession`` sees it.
public protocol SSEWriter: Sendable {
    /// Writes and flushes `buffer`; the future completes once it was handed to the socket.
    func write(_ buffer: ByteBuffer) -> EventLoopFuture<Void>
    /// Writes and flushes `buffer` when nobody needs to know when it was handed to the socket.
    func send(_ buffer: ByteBuffer)
    /// False when the connection's outbound buffer is above its high-water mark: stop producing until it drains.
    var isWritable: Bool { get }
    /// Ends the response and closes the connection.
    func finish()
}

extension SSEWriter {
    /// Default: ``write(_:)``, ignoring its future.
    public func send(_ buffer: ByteBuffer) { _ = write(buffer) }
}
