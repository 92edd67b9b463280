import ArgumentParser
import DSClient

/// `create <id>`: creates a stream.
struct CreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a stream.")

    @ParentCommand var root: DurableStreamCommand
    var connection: ConnectionOptions { root.connection }

    @Argument(help: "The stream id, e.g. 'chat' or 'account-1/chat/room-1'.")
    var id: String

    @Option(help: ArgumentHelp("The stream's content type.", valueName: "type"))
    var contentType: String?

    @Flag(help: "Shorthand for --content-type application/json.")
    var json = false

    @Option(help: ArgumentHelp("Expire the stream after this many seconds without reads or writes.", valueName: "seconds"))
    var ttl: Int?

    func validate() throws {
        if json && contentType != nil { throw ValidationError("use either --json or --content-type, not both") }
        if let ttl, ttl < 0 { throw ValidationError("--ttl must not be negative") }
    }

    func run() async throws {
        let type = json ? "application/json" : (contentType ?? "application/octet-stream")
        let result = try await withStream(connection, id) { stream throws(DurableStreamError) in
            try await stream.create(contentType: type, expiration: ttl.map { .ttl(seconds: $0) })
        }
        Output.note(result.created ? "created stream '\(id)' (\(type))" : "stream '\(id)' already exists with this configuration")
    }
}
