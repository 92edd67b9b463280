import ArgumentParser
import DSClient
import DSProtocol
import Foundation
import NIOCore

/// `write <id> [content]`: appends an argument or standard input.
struct WriteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "write",
        abstract: "Append data to a stream.",
        discussion: """
            The content is the argument, or standard input when there is no argument. In an argument, the escape \
            sequences \\n, \\t, \\r and \\\\ become a newline, a tab, a carriage return and a backslash.
            """
    )

    @ParentCommand var root: DurableStreamCommand
    var connection: ConnectionOptions { root.connection }

    @Argument(help: "The stream id.")
    var id: String

    @Argument(help: "The data to append (default: standard input).")
    var content: String?

    @Option(help: ArgumentHelp("The content type of the data (default: the stream's).", valueName: "type"))
    var contentType: String?

    @Flag(help: "Send the content as one JSON message (an array stays one message).")
    var json = false

    @Flag(help: "Treat the content as a JSON array and store each element as its own message.")
    var batchJSON = false

    func validate() throws {
        if json && batchJSON { throw ValidationError("use either --json or --batch-json, not both") }
        if (json || batchJSON) && contentType != nil { throw ValidationError("--json and --batch-json set the content type") }
    }

    func run() async throws {
        let data = try readContent()
        guard !data.isEmpty else { throw CommandFailure("nothing to write: the content is empty") }
        var body = StreamBody(bytes: data)
        var type = contentType
        if json || batchJSON {
            type = "application/json"
            try validateJSON(data)
            if json { body = StreamBody.jsonMessages([ByteBuffer(bytes: data)]) }
        }
        try await withStream(connection, id) { stream throws(DurableStreamError) in
            try await stream.append(body, contentType: type)
        }
    }

    private func readContent() throws -> [UInt8] {
        if let content { return Array(Self.unescape(content).utf8) }
        guard isatty(FileHandle.standardInput.fileDescriptor) == 0 else {
            throw CommandFailure("no content: pass it as an argument or pipe it on standard input")
        }
        return Array(FileHandle.standardInput.readDataToEndOfFile())
    }

    private func validateJSON(_ data: [UInt8]) throws {
        let result = data.withUnsafeBytes { bytes in
            Result { () throws(JSONValidationError) -> JSONSplit in try JSONMessageSplitter.split(bytes) }
        }
        if case .failure(let error) = result {
            throw CommandFailure("the content is not valid JSON: \(error.message)")
        }
    }

    /// Converts `\n`, `\t`, `\r` and `\\` to the characters they name; other backslashes stay as they are.
    static func unescape(_ text: String) -> String {
        var result = ""
        var escaping = false
        for character in text {
            if escaping {
                switch character {
                case "n": result.append("\n")
                case "t": result.append("\t")
                case "r": result.append("\r")
                case "\\": result.append("\\")
                default: result.append("\\"); result.append(character)
                }
                escaping = false
            } else if character == "\\" {
                escaping = true
            } else {
                result.append(character)
            }
        }
        if escaping { result.append("\\") }
        return result
    }
}
