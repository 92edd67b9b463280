import Foundation

/// SSRF rules for webhook URLs (PROTOCOL.md §6.2, §12.8).
///
/// `https://` only; in development mode `http://localhost` and `http://127.0.0.x` are allowed too.
/// Literal private, loopback, link-local, metadata and other non-public addresses are refused before
/// any network I/O; host names are resolved at delivery time and refused when they resolve to one.
struct WebhookURLPolicy: Sendable {
    var developmentMode: Bool

    /// The parts of an accepted URL.
    struct Target: Sendable, Equatable {
        var host: String
        /// True for the development exception: no resolution check applies.
        var isDevelopmentLoopback: Bool
        /// True when `host` is an IP literal (already checked).
        var isLiteral: Bool
    }

    /// Validates a URL's form and literal host; throws ``ControlError/webhookURLRejected(_:)``.
    func check(_ text: String) throws(ControlError) -> Target {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              var host = components.host?.lowercased(), !host.isEmpty
        else { throw .webhookURLRejected("not an absolute URL") }
        guard components.user == nil, components.password == nil else { throw .webhookURLRejected("credentials in the URL are not allowed") }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host.hasSuffix(".") { host.removeLast() }
        let developmentLoopback = developmentMode && Self.isDevelopmentLoopback(host)
        switch scheme {
        case "https": break
        case "http":
            guard developmentLoopback else {
                throw .webhookURLRejected(developmentMode ? "http is allowed only for localhost and 127.0.0.x" : "webhook URLs must use https")
            }
        default:
            throw .webhookURLRejected("webhook URLs must use https")
        }
        if developmentLoopback { return Target(host: host, isDevelopmentLoopback: true, isLiteral: host != "localhost") }
        if host == "localhost" || host.hasSuffix(".localhost") || host.hasSuffix(".local") || host.hasSuffix(".internal") {
            throw .webhookURLRejected("\(host) is a local name")
        }
        if let address = IPAddress(host) {
            if let reason = address.nonPublicReason { throw .webhookURLRejected("\(host) is \(reason)") }
            return Target(host: host, isDevelopmentLoopback: false, isLiteral: true)
        }
        if Self.looksNumeric(host) { throw .webhookURLRejected("\(host) is not a valid host") }
        return Target(host: host, isDevelopmentLoopback: false, isLiteral: false)
    }

    /// `localhost` or `127.0.0.x`.
    static func isDevelopmentLoopback(_ host: String) -> Bool {
        if host == "localhost" { return true }
        guard case .v4(let bytes) = IPAddress(host) else { return false }
        return bytes[0] == 127 && bytes[1] == 0 && bytes[2] == 0
    }

    /// Hosts such as `2130706433` or `0x7f.1` that some resolvers read as IPv4 addresses.
    private static func looksNumeric(_ host: String) -> Bool {
        host.split(separator: ".").allSatisfy { label in
            label.allSatisfy(\.isHexDigit) && (label.first?.isNumber ?? false) || label.lowercased().hasPrefix("0x")
        }
    }
}

/// An IPv4 or IPv6 address, for classifying webhook targets.
enum IPAddress: Sendable, Equatable {
    case v4([UInt8])
    case v6([UInt8])

    /// Parses a literal (dotted quad, or IPv6 text without brackets); `nil` for names.
    init?(_ text: String) {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            self = .v4(withUnsafeBytes(of: &v4) { Array($0) })
            return
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            self = .v6(withUnsafeBytes(of: &v6) { Array($0) })
            return
        }
        return nil
    }

    /// Why the address is not a public unicast address, or `nil` when it is one.
    var nonPublicReason: String? {
        switch self {
        case .v4(let b):
            switch (b[0], b[1]) {
            case (0, _): return "an unspecified/this-network address"
            case (10, _), (172, 16...31), (192, 168): return "a private (RFC 1918) address"
            case (127, _): return "a loopback address"
            case (169, 254): return "a link-local or metadata address"
            case (100, 64...127): return "a shared (CGNAT) address"
            case (192, 0) where b[2] == 0 || b[2] == 2: return "a reserved address"
            case (198, 18...19): return "a benchmarking address"
            case (198, 51) where b[2] == 100, (203, 0) where b[2] == 113: return "a documentation address"
            case (224...255, _): return "a multicast or reserved address"
            default: return nil
            }
        case .v6(let b):
            if b[0..<15].allSatisfy({ $0 == 0 }) { return b[15] == 1 ? "a loopback address" : "an unspecified address" }
            if b[0..<10].allSatisfy({ $0 == 0 }) && b[10] == 0xff && b[11] == 0xff {
                return IPAddress.v4(Array(b[12..<16])).nonPublicReason  // IPv4-mapped
            }
            if b[0] == 0x64 && b[1] == 0xff && b[2] == 0x9b { return IPAddress.v4(Array(b[12..<16])).nonPublicReason }  // NAT64
            if b[0] & 0xfe == 0xfc { return "a unique-local address" }
            if b[0] == 0xfe && b[1] & 0xc0 == 0x80 { return "a link-local address" }
            if b[0] == 0xfe && b[1] & 0xc0 == 0xc0 { return "a site-local address" }
            if b[0] == 0xff { return "a multicast address" }
            if b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8 { return "a documentation address" }
            return nil
        }
    }
}
