import CBenchSockets

#if canImport(Glibc)
import Glibc
#endif

/// The server's socket addresses, resolved once, for ``ReaderThread``'s plain-socket connections.
struct ServerAddress: Sendable {
    /// Each address `getaddrinfo` gave for a TCP stream, in its order: family and `sockaddr` bytes.
    private let candidates: [(family: Int32, bytes: [UInt8])]
    private let label: String

    /// Resolves `target`'s host and port.
    init(_ target: BenchTarget) throws(BenchError) {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(target.host, String(target.port), &hints, &list)
        guard status == 0, list != nil else {
            throw .connectionFailed("\(target.host):\(target.port): cannot resolve (getaddrinfo \(status))")
        }
        defer { freeaddrinfo(list) }
        var candidates: [(family: Int32, bytes: [UInt8])] = []
        var entry = list
        while let info = entry {
            if let address = info.pointee.ai_addr {
                candidates.append((info.pointee.ai_family, Array(UnsafeRawBufferPointer(start: address, count: Int(info.pointee.ai_addrlen)))))
            }
            entry = info.pointee.ai_next
        }
        guard !candidates.isEmpty else { throw .connectionFailed("\(target.host):\(target.port): no address") }
        self.candidates = candidates
        label = "\(target.host):\(target.port)"
    }

    /// A connected, non-blocking socket with `TCP_NODELAY` and kernel receive timestamps, to the first address
    /// that accepts (`localhost` may resolve to `::1` before `127.0.0.1`). The connect itself blocks (on loopback
    /// it completes at once).
    func connect() throws(BenchError) -> Int32 {
        var failure = "no address"
        for candidate in candidates {
            do {
                return try Self.openSocket(family: candidate.family, address: candidate.bytes)
            } catch {
                failure = error.description
            }
        }
        throw .connectionFailed("\(label): \(failure)")
    }

    private static func openSocket(family: Int32, address: [UInt8]) throws(SocketFailure) -> Int32 {
        let descriptor = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw SocketFailure(description: "socket: errno \(errno)") }
        var connected: Int32 = -1
        while true {
            connected = address.withUnsafeBytes { raw in
                Glibc.connect(descriptor, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(raw.count))
            }
            if connected == 0 || errno != EINTR { break }
        }
        guard connected == 0 else {
            let code = errno
            close(descriptor)
            throw SocketFailure(description: "connect: errno \(code)")
        }
        var on: Int32 = 1
        setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
        CBenchSockets_enableReceiveTimestamps(descriptor)
        let flags = fcntl(descriptor, F_GETFL)
        _ = fcntl(descriptor, F_SETFL, flags | O_NONBLOCK)
        return descriptor
    }

    /// Why one address did not connect.
    private struct SocketFailure: Error {
        let description: String
    }
}
