import ArgumentParser
import DSClient

/// `fork <id> --from <source>`: creates a stream that starts with another stream's data.
struct ForkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fork",
        abstract: "Create a stream as a fork of another stream on the same server."
    )

    @ParentCommand var root: DurableStreamCommand
    var connection: ConnectionOptions { root.connection }

    @Argument(help: "The id of the new stream.")
    var id: String

    @Option(help: ArgumentHelp("The id of the stream to fork.", valueName: "source"))
    var from: String

    @Option(help: ArgumentHelp("Fork at this offset (default: the source's current end).", valueName: "offset"))
    var offset: String?

    func run() async throws {
        let fork = ForkOptions(sourcePath: try connection.path(of: from), offset: offset.map { Offset($0) })
        let result = try await withStream(connection, id) { stream throws(DurableStreamError) in
            try await stream.create(fork: fork)
        }
        Output.note(result.created ? "forked '\(from)' into '\(id)'" : "stream '\(id)' already exists as this fork")
    }
}
