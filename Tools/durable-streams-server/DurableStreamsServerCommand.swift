import ArgumentParser
import DSFileStore
import DSServer
import DSStore
import NIOCore

/// The `durable-streams-server` executable.
@main
struct DurableStreamsServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "durable-streams-server",
        abstract: "A Durable Streams protocol server.",
        subcommands: [DevCommand.self, RunCommand.self],
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

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        guard longPollTimeoutMilliseconds > 0 else { throw ValidationError("--long-poll-timeout-ms must be positive") }
        guard maxBodyBytes > 0 else { throw ValidationError("--max-body-bytes must be positive") }
        guard streamRoot.hasPrefix("/"), streamRoot.hasSuffix("/") else {
            throw ValidationError("--stream-root must start and end with '/'")
        }
    }

    func serverOptions(store: any StreamStore) -> ServerOptions {
        ServerOptions(
            port: port,
            host: host,
            store: store,
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
