import AsyncHTTPClient
import DSTestSupport
import NIOCore
import NIOHTTP1

/// Sends one request to a server binary under test.
func sendRequest(
    _ method: HTTPMethod,
    _ url: String,
    headers: [(String, String)] = [],
    body: String? = nil,
    client: HTTPClient = TestHTTPClient.shared
) async throws -> HTTPClientResponse {
    var request = HTTPClientRequest(url: url)
    request.method = method
    for (name, value) in headers { request.headers.add(name: name, value: value) }
    if let body { request.body = .bytes(ByteBuffer(string: body)) }
    return try await client.execute(request, timeout: .seconds(30))
}
