/// Every configuration key. The config file uses these names, the environment `DS_` plus the name in
/// upper snake case, and flags `--` plus the name. Docs/deployment.md is the operator reference.
enum ConfigKey {
    static let all: [String] = [
        // Listening
        "host", "port", "stream-root", "event-loop-threads",
        // TLS and proxies
        "tls-cert", "tls-key", "trusted-proxies",
        // Protocol behaviour
        "long-poll-timeout-ms", "sse-connection-lifetime-ms", "read-chunk-bytes", "public-caching",
        "cursor-interval-seconds", "cursor-epoch", "expiry-sweep-interval-ms",
        // Limits
        "max-body-bytes", "max-header-bytes", "max-header-fields", "max-uri-bytes", "max-pipelined-appends",
        // HTTP extras
        "compression", "compression-min-bytes", "compression-level", "cors-origin", "cors-max-age",
        "cross-origin-resource-policy",
        // Registry
        "registry", "registry-path",
        // Logs
        "log-level", "log-format", "access-log", "request-ids",
        // Metrics and health
        "metrics", "metrics-path", "health-path", "ready-path", "protect-metrics", "protect-health",
        // Access control
        "auth-token", "auth-tokens",
        // Rate limits
        "rate-limit", "rate-limit-burst", "byte-rate-limit", "byte-rate-limit-burst", "max-live-per-client", "rate-limit-by",
        // Shutdown
        "shutdown-timeout",
        // Durable store (run)
        "data-dir", "max-open-files", "read-threads", "sync-threads", "metadata-map-bytes", "recent-frames-bytes",
        // Subscriptions
        "subscriptions", "public-url", "localhost-webhooks", "webhook-timeout-ms",
    ]
}
