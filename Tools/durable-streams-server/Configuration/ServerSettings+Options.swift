import DSRegistry
import DSServer
import DSStore
import DSSubscriptions
import Logging
import NIOCore

extension ServerSettings {
    /// The embeddable server's options for these settings, serving `store`, with the subscription service
    /// (persisted in the data directory when there is one).
    func serverOptions(store: any StreamStore, metrics: MetricsEndpoint?) -> ServerOptions {
        var accessLogger = Logger(label: "durable-streams.access")
        accessLogger.logLevel = logLevel
        var logger = Logger(label: "durable-streams.server")
        logger.logLevel = logLevel
        var options = ServerOptions(
            port: port,
            host: host,
            store: store,
            hooks: registry ? createRegistryHooks(registryPath: registryPath) : [],
            cors: cors,
            cursorOptions: cursorOptions,
            longPollTimeout: .milliseconds(Int64(longPollTimeoutMilliseconds)),
            sseConnectionLifetime: .milliseconds(Int64(sseConnectionLifetimeMilliseconds)),
            compression: compression,
            limits: limits,
            streamRoot: streamRoot,
            readChunkBytes: readChunkBytes,
            publicCaching: publicCaching,
            crossOriginResourcePolicy: crossOriginResourcePolicy,
            expirySweepInterval: .milliseconds(Int64(expirySweepIntervalMilliseconds)),
            eventLoopThreads: eventLoopThreads,
            logger: logger,
            operations: OperationsOptions(
                accessLog: accessLog ? accessLogger : nil,
                metricsFactory: metrics?.factory,
                renderMetrics: metrics?.render,
                metricsPath: metricsPath,
                healthPath: healthPath,
                readinessPath: readyPath,
                protectMetrics: protectMetrics,
                protectHealth: protectHealth,
                generateRequestIDs: requestIDs
            ),
            tls: tls,
            trustedProxies: trustedProxies,
            authorizer: grants.isEmpty ? nil : BearerTokenAuthorizer(grants: grants),
            rateLimits: rateLimits,
            shutdownTimeout: .nanoseconds(Int64(shutdownTimeoutSeconds * 1_000_000_000))
        )
        if subscriptions.enabled {
            options.controlAPI = SubscriptionService(options: subscriptions.options(directory: fileStore?.subscriptionDirectory))
        }
        return options
    }
}
