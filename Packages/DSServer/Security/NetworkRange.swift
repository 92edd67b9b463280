import NIOCore

/// An IPv4 or IPv6 address range in CIDR notation (`10.0.0.0/8`, `fd00::/8`, or one address such as
/// `127.0.0.1`), used to recognise trusted reverse proxies.
public struct NetworkRange: Sendable, Hashable, CustomStringConvertible {
    private let network: [UInt8]
    private let prefixLength: Int
    /// The text it was parsed from.
    public let description: String

    /// Parses `address` or `address/prefix`; `nil` when malformed.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let first = parts.first, let bytes = Self.bytes(ofIPAddress: String(first)) else { return nil }
        var length = bytes.count * 8
        if parts.count == 2 {
            guard let parsed = Int(parts[1]), (0...length).contains(parsed), parts[1].allSatisfy(\.isASCII) else { return nil }
            length = parsed
        }
        network = bytes
        prefixLength = length
        description = text
    }

    /// Whether `address` lies in the range. IPv4-mapped IPv6 addresses (`::ffff:a.b.c.d`) match IPv4 ranges.
    public func contains(_ address: SocketAddress) -> Bool {
        guard var bytes = Self.bytes(of: address) else { return false }
        if bytes.count == 16 && network.count == 4 && bytes.prefix(12).elementsEqual(Self.mappedPrefix) {
            bytes = Array(bytes.suffix(4))
        }
        guard bytes.count == network.count else { return false }
        var remaining = prefixLength
        for index in 0..<bytes.count where remaining > 0 {
            let bits = min(8, remaining)
            let mask: UInt8 = bits == 8 ? 0xFF : ~(0xFF >> UInt8(bits))
            if bytes[index] & mask != network[index] & mask { return false }
            remaining -= bits
        }
        return true
    }

    private static let mappedPrefix: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF]

    static func bytes(ofIPAddress text: String) -> [UInt8]? {
        guard let address = try? SocketAddress(ipAddress: text, port: 0) else { return nil }
        return bytes(of: address)
    }

    static func bytes(of address: SocketAddress) -> [UInt8]? {
        switch address {
        case .v4(let v4):
            return withUnsafeBytes(of: v4.address.sin_addr) { Array($0) }
        case .v6(let v6):
            return withUnsafeBytes(of: v6.address.sin6_addr) { Array($0) }
        case .unixDomainSocket:
            return nil
        }
    }
}
