import DSCursor
import DSProtocol
import DSServer
import Foundation
import Logging
import NIOCore
import NIOSSL

/// The executable's whole configuration, typed and validated, resolved from a ``ConfigReader``.
struct ServerSettings {
    enum LogFormat: String { case text, json }

    var host = "127.0.0.1"
    var port = 4437
    var streamRoot = "/v1/stream/"
    var eventLoopThreads: Int?
    var tls: TLSConfiguration?
    var trustedProxies: [NetworkRange] = []
    var longPollTimeoutMilliseconds = 30_000
    var sseConnectionLifetimeMilliseconds = 60_000
    var readChunkBytes = 1024 * 1024
    var publicCaching = true
    var cursorOptions = CursorOptions()
    var expirySweepIntervalMilliseconds = 1_000
    var limits = ServerLimits()
    var compression: CompressionOptions? = CompressionOptions()
    var cors: CORSOptions? = CORSOptions()
    var crossOriginResourcePolicy = "cross-origin"
    var registry = true
    var registryPath = "__registry__"
    var logLevel: Logger.Level = .info
    var logFormat = LogFormat.text
    var accessLog = true
    var requestIDs = true
    var metrics = true
    var metricsPath = "/metrics"
    var healthPath = "/healthz"
    var readyPath = "/readyz"
    var protectMetrics = false
    var protectHealth = false
    var grants: [BearerTokenAuthorizer.Grant] = []
    var rateLimits: RateLimitOptions?
    var shutdownTimeoutSeconds = 10.0
    var subscriptions: SubscriptionSettings
    /// The durable store's settings; `nil` for the in-memory store.
    var fileStore: FileStoreSettings?

    init(_ config: ConfigReader, mode: ServeMode) throws {
        switch mode {
        case .memory:
            if let key = FileStoreSettings.keys.first(where: config.isSet) {
                throw config.problem(key, "configures the durable store: use 'run', not 'dev' (which keeps streams in memory)")
            }
        case .file:
            fileStore = try FileStoreSettings(config)
        }
        subscriptions = try SubscriptionSettings(config, mode: mode)
        if let value = try config.string("host") { host = value }
        if let value = try config.int("port", in: 0...65_535) { port = value }
        if let value = try config.string("stream-root") {
            guard value.hasPrefix("/"), value.hasSuffix("/") else { throw config.problem("stream-root", "must start and end with '/'") }
            streamRoot = value
        }
        eventLoopThreads = try config.int("event-loop-threads", in: 1...1024)
        try readTLS(config)
        if let values = try config.stringList("trusted-proxies") {
            trustedProxies = try values.map { text in
                guard let range = NetworkRange(text) else { throw config.problem("trusted-proxies", "'\(text)' is not an IP address or CIDR range") }
                return range
            }
        }
        try readProtocol(config)
        try readHTTP(config)
        if let value = try config.bool("registry") { registry = value }
        if let value = try config.string("registry-path") {
            guard !value.isEmpty, !value.hasPrefix("/"), !value.hasPrefix("__ds") else {
                throw config.problem("registry-path", "must be a stream path below the root, not starting with '/' or '__ds'")
            }
            registryPath = value
        }
        try readLogging(config)
        try readOperations(config)
        try readAuth(config)
        try readRateLimits(config)
        if let value = try config.double("shutdown-timeout", minimum: 0) { shutdownTimeoutSeconds = value }
    }

    private mutating func readTLS(_ config: ConfigReader) throws {
        let cert = try config.string("tls-cert")
        let key = try config.string("tls-key")
        switch (cert, key) {
        case (nil, nil):
            return
        case (.some, nil):
            throw config.problem("tls-cert", "needs tls-key as well")
        case (nil, .some):
            throw config.problem("tls-key", "needs tls-cert as well")
        case (.some(let cert), .some(let key)):
            guard FileManager.default.isReadableFile(atPath: cert) else { throw config.problem("tls-cert", "cannot read \(cert)") }
            guard FileManager.default.isReadableFile(atPath: key) else { throw config.problem("tls-key", "cannot read \(key)") }
            guard let chain = try? NIOSSLCertificate.fromPEMFile(cert), !chain.isEmpty else {
                throw config.problem("tls-cert", "\(cert) holds no PEM certificate")
            }
            guard (try? NIOSSLPrivateKey(file: key, format: .pem)) != nil else {
                throw config.problem("tls-key", "\(key) holds no PEM private key")
            }
            do {
                let configuration = try TLSConfiguration.durableStreamsServer(certificateChainPEMFile: cert, privateKeyPEMFile: key)
                _ = try NIOSSLContext(configuration: configuration)  // a key that does not match the certificate fails here
                tls = configuration
            } catch {
                throw config.problem("tls-key", "does not fit the certificate in \(cert): \(error)")
            }
        }
    }

    private mutating func readProtocol(_ config: ConfigReader) throws {
        if let value = try config.int("long-poll-timeout-ms", in: 1...Int(Int32.max)) { longPollTimeoutMilliseconds = value }
        if let value = try config.int("sse-connection-lifetime-ms", in: 1...Int(Int32.max)) { sseConnectionLifetimeMilliseconds = value }
        if let value = try config.int("read-chunk-bytes", in: 1...Int(Int32.max)) { readChunkBytes = value }
        if let value = try config.bool("public-caching") { publicCaching = value }
        if let value = try config.int("cursor-interval-seconds", in: 1...86_400) { cursorOptions.intervalSeconds = value }
        if let value = try config.string("cursor-epoch") {
            guard let milliseconds = RFC3339.parseMilliseconds(value) else {
                throw config.problem("cursor-epoch", "expected an RFC 3339 timestamp such as 2024-10-09T00:00:00Z, got '\(value)'")
            }
            cursorOptions.epoch = Date(timeIntervalSince1970: Double(milliseconds) / 1000)
        }
        if let value = try config.int("expiry-sweep-interval-ms", in: 1...Int(Int32.max)) { expirySweepIntervalMilliseconds = value }
        if let value = try config.int("max-body-bytes", in: 1...Int.max) { limits.maxBodyBytes = value }
        if let value = try config.int("max-header-bytes", in: 1024...Int(Int32.max)) { limits.maxHeaderBytes = value }
        if let value = try config.int("max-header-fields", in: 1...10_000) { limits.maxHeaderFields = value }
        if let value = try config.int("max-uri-bytes", in: 64...Int(Int32.max)) { limits.maxURIBytes = value }
        if let value = try config.int("max-pipelined-appends", in: 1...4096) { limits.maxPipelinedAppends = value }
    }

    private mutating func readHTTP(_ config: ConfigReader) throws {
        if try config.bool("compression") == false { compression = nil }
        if let value = try config.int("compression-min-bytes", in: 0...Int.max) { compression?.minimumBytes = value }
        if let value = try config.int("compression-level", in: 1...9) { compression?.level = Int32(value) }
        if let value = try config.string("cors-origin") { cors = value == "none" ? nil : CORSOptions(allowOrigin: value) }
        if let value = try config.int("cors-max-age", in: 0...Int(Int32.max)) { cors?.maxAgeSeconds = value }
        if let value = try config.choice("cross-origin-resource-policy", ["same-origin", "same-site", "cross-origin"]) {
            crossOriginResourcePolicy = value
        }
    }

    private mutating func readLogging(_ config: ConfigReader) throws {
        let levels = Logger.Level.allCases.map(\.rawValue)
        if let value = try config.choice("log-level", levels) { logLevel = Logger.Level(rawValue: value) ?? .info }
        if let value = try config.choice("log-format", ["text", "json"]) { logFormat = LogFormat(rawValue: value) ?? .text }
        if let value = try config.bool("access-log") { accessLog = value }
        if let value = try config.bool("request-ids") { requestIDs = value }
    }

    private mutating func readOperations(_ config: ConfigReader) throws {
        if let value = try config.bool("metrics") { metrics = value }
        for (key, keyPath) in [("metrics-path", \ServerSettings.metricsPath), ("health-path", \.healthPath), ("ready-path", \.readyPath)] {
            guard let value = try config.string(key) else { continue }
            guard value.hasPrefix("/"), !value.contains("?") else { throw config.problem(key, "must be a URL path starting with '/'") }
            self[keyPath: keyPath] = value
        }
        for (key, path) in [("metrics-path", metricsPath), ("health-path", healthPath), ("ready-path", readyPath)]
        where path.hasPrefix(streamRoot) || path + "/" == streamRoot {
            throw config.problem(config.isSet(key) ? key : "stream-root", "\(path) must lie outside the stream root \(streamRoot)")
        }
        if let value = try config.bool("protect-metrics") { protectMetrics = value }
        if let value = try config.bool("protect-health") { protectHealth = value }
    }

    private mutating func readAuth(_ config: ConfigReader) throws {
        for (index, token) in (try config.stringList("auth-token") ?? []).enumerated() {
            guard Self.isValidToken(token) else { throw config.problem("auth-token", "tokens must be visible ASCII without spaces") }
            grants.append(.fullAccess(token: token, name: "full-access-\(index + 1)"))
        }
        for (index, object) in (try config.objectList("auth-tokens") ?? []).enumerated() {
            grants.append(try Self.grant(object, index: index, config: config))
        }
        if grants.isEmpty {
            for key in ["protect-metrics", "protect-health"] where try config.bool(key) == true {
                throw config.problem(key, "protects nothing without auth-token or auth-tokens")
            }
        }
    }

    private static let grantKeys: Set<String> = ["name", "token", "read", "write", "create", "delete", "metrics", "health", "subscriptions"]

    private static func grant(_ object: [String: ConfigValue], index: Int, config: ConfigReader) throws -> BearerTokenAuthorizer.Grant {
        func problem(_ text: String) -> ConfigurationError { config.problem("auth-tokens", "entry \(index + 1): \(text)") }
        if let unknown = object.keys.sorted().first(where: { !grantKeys.contains($0) }) {
            throw problem("unknown key '\(unknown)' (expected \(grantKeys.sorted().joined(separator: ", ")))")
        }
        guard case .string(let token)? = object["token"], isValidToken(token) else {
            throw problem("'token' must be a non-empty string of visible ASCII without spaces")
        }
        var name = "token-\(index + 1)"
        if let value = object["name"] {
            guard case .string(let text) = value, !text.isEmpty else { throw problem("'name' must be a non-empty string") }
            name = text
        }
        func prefixes(_ key: String) throws -> [String]? {
            guard let value = object[key] else { return nil }
            guard case .list(let items) = value else { throw problem("'\(key)' must be a list of stream path prefixes") }
            return try items.map { item in
                guard case .string(let prefix) = item else { throw problem("'\(key)' must be a list of stream path prefixes") }
                return prefix
            }
        }
        func flag(_ key: String) throws -> Bool {
            guard let value = object[key] else { return false }
            guard case .bool(let flag) = value else { throw problem("'\(key)' must be true or false") }
            return flag
        }
        /// `true` (every action), `false`, or a list of `read`, `manage`, `claim`.
        func subscriptionActions() throws -> Set<SubscriptionAction> {
            let expected = "'subscriptions' must be true, false or a list of \(SubscriptionAction.allCases.map(\.rawValue).joined(separator: ", "))"
            switch object["subscriptions"] {
            case nil, .bool(false)?: return []
            case .bool(true)?: return Set(SubscriptionAction.allCases)
            case .list(let items)?:
                return Set(try items.map { item in
                    guard case .string(let text) = item, let action = SubscriptionAction(rawValue: text) else { throw problem(expected) }
                    return action
                })
            default: throw problem(expected)
            }
        }
        return BearerTokenAuthorizer.Grant(
            name: name,
            token: token,
            read: try prefixes("read") ?? [],
            write: try prefixes("write") ?? [],
            create: try prefixes("create"),
            delete: try prefixes("delete"),
            metrics: try flag("metrics"),
            health: try flag("health"),
            subscriptions: try subscriptionActions()
        )
    }

    private static func isValidToken(_ token: String) -> Bool {
        !token.isEmpty && token.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }
    }

    private mutating func readRateLimits(_ config: ConfigReader) throws {
        var limits = RateLimitOptions()
        limits.requestsPerSecond = try config.double("rate-limit", minimum: 0, exclusive: true)
        limits.requestBurst = try config.double("rate-limit-burst", minimum: 1)
        limits.bytesPerSecond = try config.double("byte-rate-limit", minimum: 0, exclusive: true)
        limits.byteBurst = try config.double("byte-rate-limit-burst", minimum: 1)
        limits.maxLiveRequestsPerClient = try config.int("max-live-per-client", in: 1...Int.max)
        if let value = try config.choice("rate-limit-by", ["address", "token"]) {
            limits.clientKey = value == "token" ? .principal : .address
        }
        if limits.requestBurst != nil && limits.requestsPerSecond == nil { throw config.problem("rate-limit-burst", "needs rate-limit") }
        if limits.byteBurst != nil && limits.bytesPerSecond == nil { throw config.problem("byte-rate-limit-burst", "needs byte-rate-limit") }
        if limits.requestsPerSecond != nil || limits.bytesPerSecond != nil || limits.maxLiveRequestsPerClient != nil {
            rateLimits = limits
        }
    }
}
