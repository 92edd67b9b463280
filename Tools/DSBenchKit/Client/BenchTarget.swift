/// The server under test: host, port and the URL path under which stream names are appended.
public struct BenchTarget: Sendable, Hashable {
    /// Host name or address (loopback in practice).
    public var host: String
    /// TCP port.
    public var port: Int
    /// Path prefix, starting and ending with `/` (e.g. `/v1/stream/`).
    public var rootPath: String

    /// Parses `http://host[:port][/path]`; only plain HTTP is supported.
    public init(url: String) throws(BenchError) {
        guard url.hasPrefix("http://") else { throw .invalidURL(url, "only http:// URLs are supported") }
        let rest = url.dropFirst("http://".count)
        let authority = rest.prefix { $0 != "/" }
        var path = String(rest.dropFirst(authority.count))
        if path.isEmpty { path = "/" }
        if !path.hasSuffix("/") { path += "/" }
        var host = Substring(authority)
        var port = 80
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { throw .invalidURL(url, "unterminated IPv6 address") }
            let after = host[host.index(after: close)...]
            if after.hasPrefix(":") {
                guard let value = Int(after.dropFirst()) else { throw .invalidURL(url, "bad port") }
                port = value
            }
            host = host[host.index(after: host.startIndex)..<close]
        } else if let colon = host.lastIndex(of: ":") {
            guard let value = Int(host[host.index(after: colon)...]) else { throw .invalidURL(url, "bad port") }
            port = value
            host = host[..<colon]
        }
        guard !host.isEmpty, (1...65_535).contains(port) else { throw .invalidURL(url, "missing host or bad port") }
        self.host = String(host)
        self.port = port
        self.rootPath = path
    }

    /// The `Host` header value.
    var hostHeader: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// The request target of stream `name` (URL-safe characters only), with an optional query.
    func uri(_ name: String, query: String? = nil) -> String {
        guard let query else { return rootPath + name }
        return rootPath + name + "?" + query
    }
}

/// Why the benchmark could not run.
public enum BenchError: Error, CustomStringConvertible, Sendable {
    case invalidURL(String, String)
    case unknownScenario(String)
    case setupFailed(String)
    case connectionFailed(String)

    public var description: String {
        switch self {
        case .invalidURL(let url, let reason): return "invalid --url \(url): \(reason)"
        case .unknownScenario(let name): return "unknown scenario \(name)"
        case .setupFailed(let reason): return "setup failed: \(reason)"
        case .connectionFailed(let reason): return "connection failed: \(reason)"
        }
    }
}
