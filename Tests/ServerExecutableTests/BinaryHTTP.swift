import AsyncHTTPClient
import DSTestSupport
import Foundation
import NIOCore
import NIOHTTP1

/// HTTP helpers for tests that talk to the executable.
enum BinaryHTTP {
    /// A collected response.
    struct Response: Sendable {
        var status: HTTPResponseStatus
        var headers: HTTPHeaders
        var text: String

        var nextOffset: String? { headers.first(name: "Stream-Next-Offset") }

        func object() throws -> [String: Any] {
            guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
                throw TestFailure("not a JSON object: \(text)")
            }
            return object
        }
    }

    /// Sends one request; `json` is serialised as the body with `Content-Type: application/json`.
    static func request(
        _ method: HTTPMethod,
        _ url: String,
        headers: [(String, String)] = [],
        body: String? = nil,
        json: Any? = nil,
        timeoutSeconds: Int64 = 60
    ) async throws -> Response {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        if let json {
            request.headers.replaceOrAdd(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json)))
        }
        let response = try await TestHTTPClient.shared.execute(request, timeout: .seconds(timeoutSeconds))
        let bytes = try await response.body.collect(upTo: 64 * 1024 * 1024)
        return Response(status: response.status, headers: response.headers, text: String(buffer: bytes))
    }

    /// `scheme://host:port` of a stream root URL such as `http://127.0.0.1:4437/v1/stream/`.
    static func origin(of streamRootURL: String) -> String {
        String(streamRootURL.dropLast("/v1/stream/".count))
    }

    /// Scrapes `/metrics`.
    static func metrics(_ streamRootURL: String, headers: [(String, String)] = []) async throws -> MetricsScrape {
        let response = try await request(.GET, origin(of: streamRootURL) + "/metrics", headers: headers)
        guard response.status == .ok else { throw TestFailure("/metrics answered \(response.status): \(response.text)") }
        return MetricsScrape(response.text)
    }

    /// Long-polls a JSON stream from `offset` until it returns at least one message (bounded number of polls).
    static func waitForMessages(_ url: String, after offset: String, polls: Int = 30) async throws -> (messages: [[String: Any]], next: String) {
        var offset = offset
        for _ in 0..<polls {
            let response = try await request(.GET, "\(url)?offset=\(offset)&live=long-poll")
            if let next = response.nextOffset { offset = next }
            if response.status == .ok,
               let messages = try JSONSerialization.jsonObject(with: Data(response.text.utf8)) as? [[String: Any]], !messages.isEmpty
            {
                return (messages, offset)
            }
        }
        throw TestFailure("no messages in \(url) after \(offset) within \(polls) long-polls")
    }
}
