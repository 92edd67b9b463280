import ArgumentParser
import DSClient
import Foundation

/// `--url` and `--auth`, shared by every command, with `STREAM_URL` and `STREAM_AUTH` as fallbacks.
struct ConnectionOptions: ParsableArguments {
    static let defaultURL = "http://localhost:4437/v1/stream"

    @Option(help: ArgumentHelp("Stream server URL (overrides STREAM_URL).", valueName: "url"))
    var url: String?

    @Option(help: ArgumentHelp("Authorization header value (overrides STREAM_AUTH).", valueName: "value"))
    var auth: String?

    /// The server URL without a trailing `/`.
    var baseURL: String {
        var base = url ?? ProcessInfo.processInfo.environment["STREAM_URL"] ?? Self.defaultURL
        while base.hasSuffix("/") { base.removeLast() }
        return base
    }

    var authorization: String? {
        auth ?? ProcessInfo.processInfo.environment["STREAM_AUTH"]
    }

    /// How one-shot commands retry network failures, `429` and `5xx`: briefly (well under a second), then
    /// they report the failure instead of waiting silently for a server that is not there.
    static let commandRetry = RetryPolicy(maxRetries: 3)

    /// How a following `read` retries: long enough to ride out a server restart (7 to 14 s of consecutive
    /// failures; every answer resets the count), then it reports the failure.
    static let followRetry = RetryPolicy(maxDelay: .seconds(4), maxRetries: 8)

    /// The configuration every request uses.
    func clientConfiguration(retry: RetryPolicy) -> ClientConfiguration {
        var headers: [String: String] = [:]
        if let authorization, !authorization.isEmpty { headers["Authorization"] = authorization }
        return ClientConfiguration(headers: headers, retry: retry)
    }

    /// A handle on the stream `id` below the server URL.
    func stream(_ id: String, retry: RetryPolicy = commandRetry) throws -> DurableStream {
        DurableStream(url: baseURL + "/" + (try Self.encodedPath(id)), configuration: clientConfiguration(retry: retry))
    }

    /// The URL path of the stream `id`, as fork requests name their source.
    func path(of id: String) throws -> String {
        let basePath = URLComponents(string: baseURL)?.percentEncodedPath ?? ""
        return basePath + "/" + (try Self.encodedPath(id))
    }

    /// Percent-encodes each segment of a stream id, keeping `/` between segments.
    static func encodedPath(_ id: String) throws -> String {
        let trimmed = id.drop { $0 == "/" }
        guard !trimmed.isEmpty else { throw ValidationError("a stream id must not be empty") }
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~/")
        return trimmed.addingPercentEncoding(withAllowedCharacters: allowed) ?? String(trimmed)
    }
}
