import CBenchSockets

#if canImport(Glibc)
import Glibc
#endif

/// The server's socket address, resolved once, for ``ReaderThread``'s plain-socket connections.
struct ServerAddress: Sendable {
    private let family: Int32
    /// The `sockaddr` bytes.
    private let bytes: [UInt8]
    private let label: String

    /// Resolves `target`'s host and port (the first address `getaddrinfo` gives for a TCP stream).
    init(_ target: BenchTarget) throws(BenchError) {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(target.host, String(target.port), &hints, &list)
        guard status == 0, let first = list, let address = first.pointee.ai_addr else {
            throw .connectionFailed("\(target.host):\(target.port): cannot resolve (getaddrinfo \(status))")
        }
        defer { freeaddrinfo(list) }
        family = first.pointee.ai_family
        bytes = Array(UnsafeRawBufferPointer(start: address, count: Int(first.pointee.ai_addrlen)))
        label = "\(target.host):\(target.port)"
    }

    /// A connected, non-blocking socket with `TCP_NODELAY` and kernel receive timestamps. The connect itself
    /// blocks (on loopback it completes at once).
    func connect() throws(BenchError) -> Int32 {
        let descriptor = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw .connectionFailed("\(label): socket: errno \(errno)") }
        var connected: Int32 = -1
        while true {
            connected = bytes.withUnsafeBytes { raw in
                Glibc.connect(descriptor, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(raw.count))
            }
            if connected == 0 || errno != EINTR { break }
        }
        guard connected == 0 else {
            let code = errno
            close(descriptor)
            throw .connectionFailed("\(label): connect: errno \(code)")
        }
        var on: Int32 = 1
        setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
        CBenchSockets_enableReceiveTimestamps(descriptor)
        let flags = fcntl(descriptor, F_GETFL)
        _ = fcntl(descriptor, F_SETFL, flags | O_NONBLOCK)
        return descriptor
    }
}
