import ArgumentParser
import DSClient
import Foundation

/// A failure the tool reports as `Error: <message>` with exit status 1.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension DurableStreamError {
    /// The error as the tool reports it for the stream `id`.
    func failure(for id: String, at url: String) -> CommandFailure {
        switch code {
        case .notFound: return CommandFailure("stream '\(id)' does not exist (\(url))")
        case .gone: return CommandFailure("stream '\(id)' was deleted (\(url))")
        case .streamClosed: return CommandFailure("stream '\(id)' is closed")
        case .network: return CommandFailure("cannot reach the server: \(message)")
        default: return CommandFailure("\(description) (\(url))")
        }
    }
}

/// Runs `body` against the stream `id`, turning client errors into clear messages.
@discardableResult
func withStream<T>(
    _ connection: ConnectionOptions,
    _ id: String,
    retry: RetryPolicy = ConnectionOptions.commandRetry,
    _ body: (DurableStream) async throws(DurableStreamError) -> T
) async throws -> T {
    let stream = try connection.stream(id, retry: retry)
    do {
        return try await body(stream)
    } catch {
        throw error.failure(for: id, at: stream.url)
    }
}

/// Unbuffered writes to standard output and standard error.
enum Output {
    static func write(_ bytes: some Sequence<UInt8>) {
        FileHandle.standardOutput.write(Data(bytes))
    }

    static func line(_ text: String) {
        write(Array((text + "\n").utf8))
    }

    static func note(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
