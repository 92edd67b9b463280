import ArgumentParser
import DSFileStore
import DSServer
import DSStore
import DSSubscriptions
import NIOCore

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
        abstract: "Serve an in-memory store (data is lost on exit)."
    )

    @OptionGroup var serve: ServeOptions

    func run() async throws {
        var options = try serve.serverOptions(store: MemoryStreamStore())
        // Subscriptions in memory; development mode lets webhooks target http://localhost and 127.0.0.x.
        options.controlAPI = SubscriptionService(options: SubscriptionOptions(developmentMode: true))
        try await ServerRunner.run(options, storeDescription: "in-memory store")
    }
}

/// `run`: the durable file store in a data directory.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Serve a durable store kept in a data directory (log files plus LMDB metadata)."
    )

    @Option(name: .customLong("data-dir"), help: "Directory holding the streams; created if missing. One server per directory.")
    var dataDirectory: String

    @Option(name: .customLong("max-open-files"), help: "Most stream log files kept open at once.")
    var maxOpenFiles = 4096

    @Option(name: .customLong("read-threads"), help: "Threads that read stream logs (default: one per core, at least 2).")
    var readThreads: Int?

    @OptionGroup var serve: ServeOptions

    func validate() throws {
        guard !dataDirectory.isEmpty else { throw ValidationError("--data-dir must not be empty") }
        guard maxOpenFiles > 0 else { throw ValidationError("--max-open-files must be positive") }
        if let readThreads, readThreads <= 0 { throw ValidationError("--read-threads must be positive") }
    }

    func run() async throws {
        var options = FileStoreOptions(maxOpenFiles: maxOpenFiles)
        if let readThreads { options.readThreads = readThreads }
        let store = try FileStreamStore(directory: dataDirectory, options: options)
        try await ServerRunner.run(serve.serverOptions(store: store), storeDescription: "file store in \(dataDirectory)")
    }
}
