import CBenchSockets
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// One live reader's TCP connection on a plain non-blocking socket, driven by its ``ReaderThread``.
///
/// Reads go through `recvmsg` with `SO_TIMESTAMPNS`, so each read carries the time the kernel put its last
/// bytes on this socket: on loopback, the moment the server's `write` delivered them. That is when a reader
/// *has* a message, however long this process then takes to get to it; ``arrival`` holds it for the read being
/// parsed. Responses are parsed by the same ``ResponseParser`` as the NIO client connections.
///
/// Confined to its reader thread.
final class ReaderConnection {
    let descriptor: Int32
    private unowned let thread: ReaderThread
    private let parser = ResponseParser()
    /// Receives the responses' parts; set before the first request.
    var consumer: (any ResponseConsumer)?
    /// Request bytes the socket did not take yet (the thread then waits for it to be writable).
    private var unsent: ByteBuffer?
    private var error: (any Error)?
    private var isClosed = false
    /// When the bytes being parsed arrived (``BenchClock`` nanoseconds): the kernel's receive timestamp, or the
    /// time of the read when the kernel gave none.
    private(set) var arrival: UInt64 = 0

    init(descriptor: Int32, thread: ReaderThread) {
        self.descriptor = descriptor
        self.thread = thread
    }

    /// Writes one encoded `GET` request (its response has a body).
    func send(_ bytes: ByteBuffer) {
        guard !isClosed else { return }
        parser.expectResponse(bodyAllowed: true)
        if var queued = unsent {
            queued.writeImmutableBuffer(bytes)
            unsent = queued
            return
        }
        var rest = bytes
        guard write(&rest) else { return }
        if rest.readableBytes > 0 {
            unsent = rest
            thread.watch(self, writable: true)
        }
    }

    /// Writes what `bytes` holds until the socket would block; false when the connection failed (and closed).
    private func write(_ bytes: inout ByteBuffer) -> Bool {
        while bytes.readableBytes > 0 {
            let written = bytes.withUnsafeReadableBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if written > 0 {
                bytes.moveReaderIndex(forwardBy: written)
            } else if written < 0 && errno == EINTR {
                continue
            } else if written < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                return true
            } else {
                fail(BenchError.connectionFailed("write: errno \(errno)"))
                return false
            }
        }
        return true
    }

    /// The socket can take more bytes: sends the rest of the queued requests.
    func writable() {
        guard var rest = unsent else { return }
        guard write(&rest) else { return }
        if rest.readableBytes > 0 {
            unsent = rest
        } else {
            unsent = nil
            thread.watch(self, writable: false)
        }
    }

    /// The socket has bytes (or the peer closed): reads once into `scratch` and parses what came.
    func readable(scratch: UnsafeMutableRawBufferPointer) {
        guard !isClosed else { return }
        var stamp: Int64 = 0
        let count = CBenchSockets_receive(descriptor, scratch.baseAddress, scratch.count, &stamp)
        if count > 0 {
            arrival = stamp > 0 ? thread.monotonic(fromRealtime: stamp) : BenchClock.now()
            guard let consumer else { return }
            do {
                try parser.feed(ByteBuffer(bytes: UnsafeRawBufferPointer(rebasing: scratch[0..<count])), consumer)
            } catch {
                fail(error)
            }
        } else if count == 0 {
            close()
        } else if errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR {
            fail(BenchError.connectionFailed("read: errno \(errno)"))
        }
    }

    private func fail(_ error: any Error) {
        if self.error == nil { self.error = error }
        close()
    }

    /// Closes the socket and tells the consumer (once).
    func close() {
        guard !isClosed else { return }
        isClosed = true
        thread.forget(self)
        Glibc.close(descriptor)
        if let consumer {
            parser.connectionClosed(consumer)
            consumer.connectionClosed(error: error)
        }
    }
}
