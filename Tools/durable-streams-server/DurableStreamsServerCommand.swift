import ArgumentParser
import DSRegistry
import DSServer
import DSStore
import NIOCore

/// The `durable-streams-server` executable.
@main
struct DurableStreamsServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "durable-streams-server",
        abstract: "A Durable Streams protocol server.",
        subcommands: [DevCommand.self],
        defaultSubcommand: DevCommand.self
    )
}

/// Options shared by every way of running the server.
struct ServeOptions: ParsableArguments {
    @Option(help: "Interface to bind.")
    var host = "127.0.0.1"

    @Option(help: "TCP port (0 picks a free one).")
    var port = 4437

    @Option(name: .customLong("long-poll-timeout-ms"), help: "How long a long-poll waits for data, in milliseconds.")
    var longPollTimeoutMilliseconds = 30_000

    @Flag(name: .customLong("no-compression"), help: "Do not gzip responses.")
    var noCompression = false

    @Option(name: .customLong("max-body-bytes"), help: "Largest accepted request body, in bytes.")
    var maxBodyBytes = 64 * 1024 * 1024

    @Option(name: .customLong("cors-origin"), help: "Access-Control-Allow-Origin value ('none' disables CORS).")
    var corsOrigin = "*"

    @Option(name: .customLong("stream-root"), help: "URL path under which every path is a stream.")
    var streamRoot = "/v1/stream/"

    @Flag(name: .customLong("no-registry"), help: "Do not keep a registry stream of creates and deletes.")
    var noRegistry = false

    @Option(name: .customLong("registry-path"), help: "Path of the registry stream below the stream root.")
    var registryPath = "__registry__"

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        guard longPollTimeoutMilliseconds > 0 else { throw ValidationError("--long-poll-timeout-ms must be positive") }
        guard maxBodyBytes > 0 else { throw ValidationError("--max-body-bytes must be positive") }
        guard !registryPath.isEmpty, !registryPath.hasPrefix("/"), !registryPath.hasPrefix("__ds") else {
            throw ValidationError("--registry-path must be a stream path below the root, not starting with '/' or '__ds'")
        }
        guard streamRoot.hasPrefix("/"), streamRoot.hasSuffix("/") else {
            throw ValidationError("--stream-root must start and end with '/'")
        }
    }

    func serverOptions(store: any StreamStore) -> ServerOptions {
        ServerOptions(
            port: port,
            host: host,
            store: store,
            hooks: noRegistry ? [] : createRegistryHooks(registryPath: registryPath),
            cors: corsOrigin == "none" ? nil : CORSOptions(allowOrigin: corsOrigin),
            longPollTimeout: .milliseconds(Int64(longPollTimeoutMilliseconds)),
            compression: noCompression ? nil : CompressionOptions(),
            limits: ServerLimits(maxBodyBytes: maxBodyBytes),
            streamRoot: streamRoot
        )
    }
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
