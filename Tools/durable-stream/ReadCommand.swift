import ArgumentParser
import DSClient
import DSProtocol

/// `read <id>`: prints a stream's data, then follows it until it is closed.
struct ReadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "read",
        abstract: "Print a stream's data and follow it live.",
        discussion: """
            Prints everything the stream holds, then new data as it arrives, until the stream is closed or \
            Ctrl-C. Bytes are written as they are; a JSON stream prints one message per line.
            """
    )

    @ParentCommand var root: DurableStreamCommand
    var connection: ConnectionOptions { root.connection }

    @Argument(help: "The stream id.")
    var id: String

    @Flag(help: "Stop once everything currently in the stream was printed.")
    var noFollow = false

    @Option(help: ArgumentHelp("Start at this offset (from an earlier read) instead of the beginning.", valueName: "offset"))
    var offset: String?

    func run() async throws {
        let start = offset.map { Offset($0) } ?? .beginning
        let mode: ReadMode = noFollow ? .catchUp : .auto
        let retry = noFollow ? ConnectionOptions.commandRetry : ConnectionOptions.followRetry
        try await withStream(connection, id, retry: retry) { stream throws(DurableStreamError) in
            var chunks = stream.read(from: start, mode: mode).makeAsyncIterator()
            while let chunk = try await chunks.next() {
                if let type = chunk.contentType, StreamContentType(type).isJSON {
                    for message in try chunk.jsonMessages() {
                        Output.write(message.readableBytesView)
                        Output.write([UInt8(ascii: "\n")])
                    }
                } else if !chunk.isEmpty {
                    Output.write(chunk.data.readableBytesView)
                }
            }
        }
    }
}
