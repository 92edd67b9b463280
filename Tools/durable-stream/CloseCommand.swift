import ArgumentParser
import DSClient

/// `close <id>`: closes a stream; readers then reach its end.
struct CloseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "close", abstract: "Close a stream (no more appends).")

    @ParentCommand var root: DurableStreamCommand
    var connection: ConnectionOptions { root.connection }

    @Argument(help: "The stream id.")
    var id: String

    func run() async throws {
        let result = try await withStream(connection, id) { stream throws(DurableStreamError) in try await stream.close() }
        Output.note("closed stream '\(id)'" + (result.nextOffset.map { " at offset \($0)" } ?? ""))
    }
}
