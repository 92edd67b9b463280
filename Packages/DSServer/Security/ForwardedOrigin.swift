import NIOCore
import NIOHTTP1

/// Who a request came from and which scheme and host it was addressed to, taking `X-Forwarded-Proto`,
/// `X-Forwarded-Host` and `X-Forwarded-For` into account only when the connection's peer is a trusted proxy.
struct ForwardedOrigin {
    /// `http` or `https`.
    var scheme: String
    /// The host the client used, for absolute URLs (`Location`).
    var host: String?
    /// The client's address: the peer, or the nearest untrusted `X-Forwarded-For` hop behind trusted proxies.
    var clientAddress: SocketAddress?

    static func resolve(peer: SocketAddress?, headers: HTTPHeaders, scheme: String, trustedProxies: [NetworkRange]) -> ForwardedOrigin {
        var origin = ForwardedOrigin(scheme: scheme, host: headers.first(name: "Host"), clientAddress: peer)
        guard !trustedProxies.isEmpty, let peer, trustedProxies.contains(where: { $0.contains(peer) }) else { return origin }
        if let proto = firstValue(headers, "X-Forwarded-Proto")?.lowercased(), proto == "http" || proto == "https" {
            origin.scheme = proto
        }
        if let host = firstValue(headers, "X-Forwarded-Host"), isPlausibleHost(host) {
            origin.host = host
        }
        // The rightmost hop that is not one of our proxies is the client; hops to its left are its own claims.
        let hops = headers[canonicalForm: "X-Forwarded-For"].map { $0.trimmingSpaces() }
        for hop in hops.reversed() {
            guard let address = try? SocketAddress(ipAddress: hop, port: 0) else { break }
            origin.clientAddress = address
            if !trustedProxies.contains(where: { $0.contains(address) }) { break }
        }
        return origin
    }

    private static func firstValue(_ headers: HTTPHeaders, _ name: String) -> String? {
        guard let value = headers.first(name: name) else { return nil }
        let first = value.split(separator: ",", maxSplits: 1).first.map { String($0).trimmingSpaces() } ?? ""
        return first.isEmpty ? nil : first
    }

    /// Host names and `host:port` only: no slashes, spaces or control characters that could bend a URL.
    private static func isPlausibleHost(_ host: String) -> Bool {
        host.utf8.count <= 255 && host.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ":")
                || byte == UInt8(ascii: "[") || byte == UInt8(ascii: "]") || byte == UInt8(ascii: "_")
        }
    }
}

extension String {
    fileprivate func trimmingSpaces() -> String {
        String(self.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> String { String(self).trimmingSpaces() }
}
