import ArgumentParser
import DSClient

/// `head <id>`: prints a stream's metadata.
struct HeadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "head", abstract: "Show a stream's metadata.")

    @ParentCommand var root: DurableStreamCommand
    var connection: ConnectionOptions { root.connection }

    @Argument(help: "The stream id.")
    var id: String

    func run() async throws {
        let metadata = try await withStream(connection, id) { stream throws(DurableStreamError) in try await stream.head() }
        Output.line("content-type: \(metadata.contentType)")
        Output.line("next-offset: \(metadata.nextOffset)")
        Output.line("closed: \(metadata.closed)")
        if let ttl = metadata.ttlSeconds { Output.line("ttl: \(ttl)") }
        if let expiresAt = metadata.expiresAt { Output.line("expires-at: \(expiresAt)") }
    }
}
