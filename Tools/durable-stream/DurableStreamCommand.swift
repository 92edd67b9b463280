import ArgumentParser

/// The `durable-stream` command-line tool: create, write, read, inspect, close, fork and delete streams on
/// any Durable Streams server.
@main
struct DurableStreamCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "durable-stream",
        abstract: "Create, write, read and manage Durable Streams.",
        discussion: """
            The server is STREAM_URL (default \(ConnectionOptions.defaultURL)) or --url; a stream id is a path \
            below it, such as 'chat' or 'account-1/chat/room-1'. STREAM_AUTH or --auth sets the Authorization \
            header, sent as given (include the scheme, e.g. 'Bearer my-token').
            """,
        subcommands: [
            CreateCommand.self, WriteCommand.self, ReadCommand.self, HeadCommand.self, CloseCommand.self,
            DeleteCommand.self, ForkCommand.self,
        ]
    )

    @OptionGroup var connection: ConnectionOptions
}
