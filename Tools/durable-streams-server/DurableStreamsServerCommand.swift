import ArgumentParser

/// The `durable-streams-server` executable.
@main
struct DurableStreamsServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "durable-streams-server",
        abstract: "A Durable Streams protocol server.",
        discussion: """
            Every option can also come from a JSON config file (--config, keys are the long option names) or an \
            environment variable (DS_ plus the option name in upper snake case, e.g. DS_LONG_POLL_TIMEOUT_MS). \
            Flags win over the environment, which wins over the file. Docs/deployment.md lists every option.
            """,
        subcommands: [DevCommand.self, RunCommand.self],
        defaultSubcommand: DevCommand.self
    )
}

/// `dev`: the in-memory store, for development and tests.
struct DevCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev",
        abstract: "Serve an in-memory store (data is lost on exit).",
        discussion: "Subscriptions are kept in memory too, and webhooks may target http://localhost and http://127.0.0.x."
    )

    @OptionGroup var serve: ServeOptions

    func run() async throws {
        try await serve.serve(.memory)
    }
}

/// `run`: the durable file store in a data directory.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Serve a durable store kept in a data directory (log files plus LMDB metadata).",
        discussion: """
            Subscriptions (cursors, leases, pending retries, the webhook signing key) are kept in DATA-DIR/subscriptions \
            and survive restarts. These options can also come from the config file or DS_ variables like every other.
            """
    )

    @Option(name: .customLong("data-dir"), help: "Directory holding the streams; created if missing. One server per directory.")
    var dataDirectory: String?

    @Option(name: .customLong("max-open-files"), help: "Most stream log files kept open at once (default 4096).")
    var maxOpenFiles: String?

    @Option(name: .customLong("read-threads"), help: "Threads that read stream logs (default: one per core, at least 2).")
    var readThreads: String?

    @Option(name: .customLong("sync-threads"), help: "Threads that fdatasync logs at a journal checkpoint (default 8).")
    var syncThreads: String?

    @Option(name: .customLong("metadata-map-bytes"), help: "Largest size of the LMDB metadata; reserves address space, not disk (default 68719476736).")
    var metadataMapBytes: String?

    @Option(
        name: .customLong("recent-frames-bytes"),
        help: "Memory for the latest appends of streams readers wait on, over all streams; 0 turns it off (default 33554432)."
    )
    var recentFramesBytes: String?

    @OptionGroup var serve: ServeOptions

    func run() async throws {
        var flags: [String: ConfigValue] = [:]
        for (key, value) in [
            ("data-dir", dataDirectory), ("max-open-files", maxOpenFiles), ("read-threads", readThreads),
            ("sync-threads", syncThreads), ("metadata-map-bytes", metadataMapBytes), ("recent-frames-bytes", recentFramesBytes),
        ] {
            if let value { flags[key] = .string(value) }
        }
        try await serve.serve(.file, extraFlags: flags)
    }
}
