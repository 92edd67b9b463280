import ArgumentParser
import DSServer
import DSStore

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
        subcommands: [DevCommand.self],
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
        try await ServerRunner.run(serve.serverOptions(store: MemoryStreamStore()), storeDescription: "in-memory store")
    }
}
