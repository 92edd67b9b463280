import ArgumentParser
import DSFileStore
import DSServer
import DSStore
import Foundation
import Logging

/// Options shared by every way of running the server. Each is optional here: an option left out falls
/// back to the environment (`DS_…`), then the config file, then the built-in default (see ``ServerSettings``).
struct ServeOptions: ParsableArguments {
    @Option(help: "JSON config file; keys are the long option names (see Docs/deployment.md).")
    var config: String?

    // Listening
    @Option(help: "Interface to bind (default 127.0.0.1).") var host: String?
    @Option(help: "TCP port; 0 picks a free one (default 4437).") var port: String?
    @Option(name: .customLong("stream-root"), help: "URL path under which every path is a stream (default /v1/stream/).")
    var streamRoot: String?
    @Option(name: .customLong("event-loop-threads"), help: "Event loop threads (default: one per core).")
    var eventLoopThreads: String?

    // TLS and proxies
    @Option(name: .customLong("tls-cert"), help: "PEM certificate chain; with --tls-key serves HTTPS.") var tlsCert: String?
    @Option(name: .customLong("tls-key"), help: "PEM private key for --tls-cert.") var tlsKey: String?
    @Option(name: .customLong("trusted-proxies"), help: "CIDR ranges whose X-Forwarded-* headers are believed (repeatable, or comma-separated).")
    var trustedProxies: [String] = []

    // Protocol behaviour
    @Option(name: .customLong("long-poll-timeout-ms"), help: "How long a long-poll waits for data (default 30000).")
    var longPollTimeoutMilliseconds: String?
    @Option(name: .customLong("sse-connection-lifetime-ms"), help: "How long an SSE connection stays open (default 60000).")
    var sseConnectionLifetimeMilliseconds: String?
    @Option(name: .customLong("read-chunk-bytes"), help: "Largest catch-up chunk one read returns (default 1048576).")
    var readChunkBytes: String?
    @Option(name: .customLong("public-caching"), help: "Mark catch-up reads public (true) or private (false) (default true).")
    var publicCaching: String?
    @Option(name: .customLong("cursor-interval-seconds"), help: "CDN cursor interval (default 20).") var cursorIntervalSeconds: String?
    @Option(name: .customLong("cursor-epoch"), help: "CDN cursor epoch, RFC 3339 (default 2024-10-09T00:00:00Z).") var cursorEpoch: String?
    @Option(name: .customLong("expiry-sweep-interval-ms"), help: "How often expired streams are swept (default 1000).")
    var expirySweepIntervalMilliseconds: String?

    // Limits
    @Option(name: .customLong("max-body-bytes"), help: "Largest accepted request body (default 67108864).") var maxBodyBytes: String?
    @Option(name: .customLong("max-header-bytes"), help: "Largest request header block (default 32768).") var maxHeaderBytes: String?
    @Option(name: .customLong("max-header-fields"), help: "Most request header fields (default 100).") var maxHeaderFields: String?
    @Option(name: .customLong("max-uri-bytes"), help: "Longest request target (default 8192).") var maxURIBytes: String?
    @Option(name: .customLong("max-pipelined-appends"), help: "Most pipelined appends in flight per connection (default 32; 1 answers one at a time).")
    var maxPipelinedAppends: String?

    // HTTP extras
    @Flag(name: .customLong("no-compression"), help: "Do not gzip responses.") var noCompression = false
    @Option(name: .customLong("compression-min-bytes"), help: "Smallest body worth gzipping (default 1024).") var compressionMinBytes: String?
    @Option(name: .customLong("compression-level"), help: "gzip level 1-9 (default 1).") var compressionLevel: String?
    @Option(name: .customLong("cors-origin"), help: "Access-Control-Allow-Origin value; 'none' disables CORS (default *).")
    var corsOrigin: String?
    @Option(name: .customLong("cors-max-age"), help: "Preflight cache time in seconds (default 86400).") var corsMaxAge: String?
    @Option(name: .customLong("cross-origin-resource-policy"), help: "same-origin, same-site or cross-origin (default cross-origin).")
    var crossOriginResourcePolicy: String?

    // Registry
    @Flag(name: .customLong("no-registry"), help: "Do not keep a registry stream of creates and deletes.") var noRegistry = false
    @Option(name: .customLong("registry-path"), help: "Path of the registry stream below the stream root (default __registry__).")
    var registryPath: String?

    // Logs
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical (default info).")
    var logLevel: String?
    @Option(name: .customLong("log-format"), help: "text or json, on standard error (default text).") var logFormat: String?
    @Option(name: .customLong("access-log"), help: "One line per request at info (default true).") var accessLog: String?
    @Option(name: .customLong("request-ids"), help: "Generate X-Request-Id when the client sent none (default true).")
    var requestIDs: String?

    // Metrics and health
    @Option(help: "Serve Prometheus metrics (default true).") var metrics: String?
    @Option(name: .customLong("metrics-path"), help: "Metrics endpoint path (default /metrics).") var metricsPath: String?
    @Option(name: .customLong("health-path"), help: "Liveness endpoint path (default /healthz).") var healthPath: String?
    @Option(name: .customLong("ready-path"), help: "Readiness endpoint path (default /readyz).") var readyPath: String?
    @Option(name: .customLong("protect-metrics"), help: "Require a token with the metrics scope (default false).")
    var protectMetrics: String?
    @Option(name: .customLong("protect-health"), help: "Require a token with the health scope (default false).")
    var protectHealth: String?

    // Access control
    @Option(name: .customLong("auth-token"), help: "A bearer token with full access (repeatable). Scoped tokens: auth-tokens in the config file.")
    var authTokens: [String] = []

    // Rate limits
    @Option(name: .customLong("rate-limit"), help: "Requests per second per client.") var rateLimit: String?
    @Option(name: .customLong("rate-limit-burst"), help: "Request burst per client (default: one second's worth).") var rateLimitBurst: String?
    @Option(name: .customLong("byte-rate-limit"), help: "Request body bytes per second per client.") var byteRateLimit: String?
    @Option(name: .customLong("byte-rate-limit-burst"), help: "Body byte burst per client (default: one second's worth).")
    var byteRateLimitBurst: String?
    @Option(name: .customLong("max-live-per-client"), help: "Long-polls and SSE sessions one client may hold open.")
    var maxLivePerClient: String?
    @Option(name: .customLong("rate-limit-by"), help: "address or token: how clients are told apart (default address).")
    var rateLimitBy: String?

    // Subscriptions
    @Flag(name: .customLong("no-subscriptions"), help: "Do not serve the subscription API under {stream-root}__ds/.")
    var noSubscriptions = false
    @Option(name: .customLong("public-url"), help: "scheme://host[:port] webhook receivers use to reach this server (callback and JWKS URLs; default: the bound address).")
    var publicURL: String?
    @Option(name: .customLong("localhost-webhooks"), help: "Allow webhook URLs http://localhost and http://127.0.0.x (default: true for dev, false for run).")
    var localhostWebhooks: String?
    @Option(name: .customLong("webhook-timeout-ms"), help: "How long one webhook attempt may take (default 10000).")
    var webhookTimeoutMilliseconds: String?

    // Shutdown
    @Option(name: .customLong("shutdown-timeout"), help: "Seconds a SIGTERM drain waits for in-flight requests (default 10).")
    var shutdownTimeout: String?

    /// The values given as flags, by config key.
    var flagValues: [String: ConfigValue] {
        var values: [String: ConfigValue] = [:]
        func put(_ key: String, _ value: String?) {
            if let value { values[key] = .string(value) }
        }
        put("host", host)
        put("port", port)
        put("stream-root", streamRoot)
        put("event-loop-threads", eventLoopThreads)
        put("tls-cert", tlsCert)
        put("tls-key", tlsKey)
        if !trustedProxies.isEmpty { values["trusted-proxies"] = .list(trustedProxies.map(ConfigValue.string)) }
        put("long-poll-timeout-ms", longPollTimeoutMilliseconds)
        put("sse-connection-lifetime-ms", sseConnectionLifetimeMilliseconds)
        put("read-chunk-bytes", readChunkBytes)
        put("public-caching", publicCaching)
        put("cursor-interval-seconds", cursorIntervalSeconds)
        put("cursor-epoch", cursorEpoch)
        put("expiry-sweep-interval-ms", expirySweepIntervalMilliseconds)
        put("max-body-bytes", maxBodyBytes)
        put("max-header-bytes", maxHeaderBytes)
        put("max-header-fields", maxHeaderFields)
        put("max-uri-bytes", maxURIBytes)
        put("max-pipelined-appends", maxPipelinedAppends)
        if noCompression { values["compression"] = .bool(false) }
        put("compression-min-bytes", compressionMinBytes)
        put("compression-level", compressionLevel)
        put("cors-origin", corsOrigin)
        put("cors-max-age", corsMaxAge)
        put("cross-origin-resource-policy", crossOriginResourcePolicy)
        if noRegistry { values["registry"] = .bool(false) }
        put("registry-path", registryPath)
        put("log-level", logLevel)
        put("log-format", logFormat)
        put("access-log", accessLog)
        put("request-ids", requestIDs)
        put("metrics", metrics)
        put("metrics-path", metricsPath)
        put("health-path", healthPath)
        put("ready-path", readyPath)
        put("protect-metrics", protectMetrics)
        put("protect-health", protectHealth)
        if !authTokens.isEmpty { values["auth-token"] = .list(authTokens.map(ConfigValue.string)) }
        put("rate-limit", rateLimit)
        put("rate-limit-burst", rateLimitBurst)
        put("byte-rate-limit", byteRateLimit)
        put("byte-rate-limit-burst", byteRateLimitBurst)
        put("max-live-per-client", maxLivePerClient)
        put("rate-limit-by", rateLimitBy)
        if noSubscriptions { values["subscriptions"] = .bool(false) }
        put("public-url", publicURL)
        put("localhost-webhooks", localhostWebhooks)
        put("webhook-timeout-ms", webhookTimeoutMilliseconds)
        put("shutdown-timeout", shutdownTimeout)
        return values
    }

    /// Reads the config file named by `--config` (or `DS_CONFIG`), the environment and the flags (these
    /// options' plus a subcommand's own `extraFlags`).
    func reader(
        extraFlags: [String: ConfigValue] = [:],
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> ConfigReader {
        let path = config ?? environment["DS_CONFIG"]
        let file = try path.map { (path: $0, values: try ConfigReader.loadFile($0)) }
        var environment = environment
        environment["DS_CONFIG"] = nil
        return try ConfigReader(file: file, environment: environment, flags: flagValues.merging(extraFlags) { _, extra in extra })
    }

    /// Resolves the configuration for `mode`, bootstraps logging and metrics for the process, opens the
    /// store, and serves until a signal drains the server. Call once per process.
    func serve(_ mode: ServeMode, extraFlags: [String: ConfigValue] = [:]) async throws {
        let reader = try reader(extraFlags: extraFlags)
        var settings = try ServerSettings(reader, mode: mode)
        LoggingSetup.bootstrap(format: settings.logFormat, level: settings.logLevel)
        let metrics = settings.metrics ? MetricsEndpoint.bootstrap() : nil
        let store: any StreamStore
        var description = "in-memory store"
        var readOnly = false
        if let file = settings.fileStore {
            let fileStore = try FileStreamStore(directory: file.dataDirectory, options: file.options(level: settings.logLevel))
            store = fileStore
            description = "file store in \(file.dataDirectory)"
            // A read-only directory can neither persist subscriptions nor take wake events.
            readOnly = fileStore.isReadOnly
            if readOnly { settings.subscriptions.enabled = false }
        } else {
            store = MemoryStreamStore()
        }
        let options = settings.serverOptions(store: store, metrics: metrics)
        for name in reader.unknownEnvironment {
            options.logger.warning("ignoring an environment variable that names no option", metadata: ["variable": "\(name)"])
        }
        if readOnly { options.logger.warning("the data directory is read-only: subscriptions are not served") }
        try await ServerRunner.run(options, storeDescription: description)
    }
}
