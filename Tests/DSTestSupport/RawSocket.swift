#if canImport(Glibc)
import Glibc
#endif

/// A blocking loopback TCP socket that sends bytes and never reads unless asked: a client that stops
/// reading (back-pressure tests) or hangs up abruptly (release tests).
public final class RawSocket: @unchecked Sendable {
    // @unchecked: the descriptor is used by one test task; close() is idempotent.
    private var descriptor: Int32

    /// Connects to `127.0.0.1:port`. `receiveBufferBytes` shrinks the socket's receive buffer (set before
    /// connecting, so the kernel advertises a small window): a client that stops reading then stalls the
    /// server's writes after little data.
    public init(port: Int, receiveBufferBytes: Int32? = nil) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw TestFailure("socket() failed: \(errno)") }
        if var size = receiveBufferBytes {
            setsockopt(descriptor, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            Glibc.close(descriptor)
            throw TestFailure("connect() failed: \(errno)")
        }
    }

    /// Sends all of `text`.
    public func send(_ text: String) throws {
        var bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            let count = bytes.withUnsafeMutableBytes { Glibc.send(descriptor, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { throw TestFailure("send() failed: \(errno)") }
            sent += count
        }
    }

    /// Reads whatever is available within `timeoutMilliseconds` (at most 64 KiB), waiting on a thread of its own.
    public func receive(timeoutMilliseconds: Int32 = 30_000) async throws -> String {
        try await runBlocking { self.receiveNow(timeoutMilliseconds: timeoutMilliseconds) }
    }

    private func receiveNow(timeoutMilliseconds: Int32) -> String {
        var pollDescriptor = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&pollDescriptor, 1, timeoutMilliseconds) > 0 else { return "" }
        var buffer = [UInt8](repeating: 0, count: 65536)
        let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress!, $0.count, 0) }
        return count > 0 ? String(decoding: buffer[..<count], as: UTF8.self) : ""
    }

    /// Reads and discards until the peer closes the connection (EOF or reset) or `timeoutMilliseconds` pass
    /// without any byte arriving. Returns the bytes read and whether the connection was closed.
    public func drainUntilClosed(idleTimeoutMilliseconds: Int32 = 30_000) -> (bytes: Int, closed: Bool) {
        var total = 0
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            var pollDescriptor = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&pollDescriptor, 1, idleTimeoutMilliseconds) > 0 else { return (total, false) }
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress!, $0.count, 0) }
            if count <= 0 { return (total, true) }
            total += count
        }
    }

    /// Closes the connection abruptly (RST when unread data is pending).
    public func close() {
        guard descriptor >= 0 else { return }
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        Glibc.close(descriptor)
        descriptor = -1
    }

    deinit { close() }
}
