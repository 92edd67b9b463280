import DSFileStore
import DSSubscriptions
import Foundation
import Logging
import NIOCore

/// Which store a subcommand serves; decides which keys apply and the subscription defaults.
enum ServeMode {
    /// `dev`: the in-memory store; subscriptions in memory, localhost webhooks allowed.
    case memory
    /// `run`: the file store in `data-dir`; subscriptions persisted there, localhost webhooks refused.
    case file
}

/// The durable store's settings (`run` only).
struct FileStoreSettings {
    var dataDirectory = ""
    var maxOpenFiles = 4096
    var readThreads: Int?
    var syncThreads: Int?
    var metadataMapBytes: Int?
    var recentFramesBytes: Int?

    /// The keys that configure the file store; `dev` refuses them so a config written for `run` never
    /// silently serves memory.
    static let keys = ["data-dir", "max-open-files", "read-threads", "sync-threads", "metadata-map-bytes", "recent-frames-bytes"]

    init(_ config: ConfigReader) throws {
        guard let directory = try config.string("data-dir"), !directory.isEmpty else {
            throw config.problem("data-dir", "is required: the directory holding the streams (--data-dir, DS_DATA_DIR or 'data-dir')")
        }
        dataDirectory = directory
        if let value = try config.int("max-open-files", in: 1...Int(Int32.max)) { maxOpenFiles = value }
        readThreads = try config.int("read-threads", in: 1...1024)
        syncThreads = try config.int("sync-threads", in: 1...1024)
        metadataMapBytes = try config.int("metadata-map-bytes", in: (16 << 20)...Int.max)
        recentFramesBytes = try config.int("recent-frames-bytes", in: 0...Int.max)
    }

    /// The store's options, logging through `logger` at `level`.
    func options(level: Logger.Level) -> FileStoreOptions {
        var logger = Logger(label: "durable-streams.file-store")
        logger.logLevel = level
        var options = FileStoreOptions(maxOpenFiles: maxOpenFiles, logger: logger)
        if let readThreads { options.readThreads = readThreads }
        if let syncThreads { options.syncThreads = syncThreads }
        if let metadataMapBytes { options.metadataMapSize = metadataMapBytes }
        if let recentFramesBytes { options.recentFramesBytes = recentFramesBytes }
        return options
    }

    /// Where the subscription state lives inside the data directory.
    var subscriptionDirectory: String { dataDirectory + "/subscriptions" }
}

/// The subscription service's settings (PROTOCOL.md §6–7 under `{stream-root}__ds/`).
struct SubscriptionSettings {
    var enabled = true
    var publicURL: String?
    var localhostWebhooks: Bool
    var webhookTimeoutMilliseconds = 10_000

    init(_ config: ConfigReader, mode: ServeMode) throws {
        localhostWebhooks = mode == .memory
        if let value = try config.bool("subscriptions") { enabled = value }
        if let value = try config.string("public-url") {
            guard let components = URLComponents(string: value), let scheme = components.scheme?.lowercased(),
                  scheme == "http" || scheme == "https", components.host?.isEmpty == false,
                  components.path.isEmpty || components.path == "/", components.query == nil, components.user == nil
            else {
                throw config.problem("public-url", "expected scheme://host[:port] (http or https, no path), got '\(value)'")
            }
            publicURL = value.hasSuffix("/") ? String(value.dropLast()) : value
        }
        if let value = try config.bool("localhost-webhooks") { localhostWebhooks = value }
        if let value = try config.int("webhook-timeout-ms", in: 100...600_000) { webhookTimeoutMilliseconds = value }
    }

    /// The service's options, persisted in `directory` when one is given.
    func options(directory: String?) -> SubscriptionOptions {
        SubscriptionOptions(
            directory: directory,
            developmentMode: localhostWebhooks,
            publicBaseURL: publicURL,
            webhookTimeout: .milliseconds(Int64(webhookTimeoutMilliseconds))
        )
    }
}
