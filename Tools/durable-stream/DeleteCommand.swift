import ArgumentParser
import DSClient

/// `delete <id>`: deletes a stream.
struct DeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete a stream.")

    @ParentCommand var root: DurableStreamCommand
    var connection: ConnectionOptions { root.connection }

    @Argument(help: "The stream id.")
    var id: String

    func run() async throws {
        try await withStream(connection, id) { stream throws(DurableStreamError) in try await stream.delete() }
        Output.note("deleted stream '\(id)'")
    }
}
