import DSTestSupport
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// Helpers shared by the fork behaviour suites (`Fork*Tests`). Everything goes over HTTP, so the same
/// assertions hold for every store in `StoreKind.allCases`.
extension TestServer {
    /// `PUT path` with `Stream-Forked-From: <source's URL path>` and the optional fork headers.
    @discardableResult
    func fork(
        _ path: String,
        from source: String,
        offset: String? = nil,
        subOffset: String? = nil,
        headers: [(String, String)] = [],
        body: String? = nil
    ) async throws -> TestResponse {
        var all = [("Stream-Forked-From", urlPath(source))]
        if let offset { all.append(("Stream-Fork-Offset", offset)) }
        if let subOffset { all.append(("Stream-Fork-Sub-Offset", subOffset)) }
        return try await request(.PUT, path, headers: all + headers, body: body.map { ByteBuffer(string: $0) })
    }

    /// Like ``fork(_:from:offset:subOffset:headers:body:)`` but requires `201 Created`.
    @discardableResult
    func createFork(
        _ path: String,
        from source: String,
        offset: String? = nil,
        subOffset: String? = nil,
        headers: [(String, String)] = [],
        body: String? = nil
    ) async throws -> TestResponse {
        let response = try await fork(path, from: source, offset: offset, subOffset: subOffset, headers: headers, body: body)
        guard response.status == .created else {
            throw TestFailure("forking \(path) from \(source) answered \(response.status): \(response.text)")
        }
        return response
    }

    /// A catch-up read from `offset` (`-1` by default).
    func read(_ path: String, offset: String = "-1", query: String = "") async throws -> TestResponse {
        try await request(.GET, "\(path)?offset=\(offset)\(query)")
    }

    /// Every byte from `offset` to the tail, following `Stream-Next-Offset` chunk by chunk (at most 10 000 reads).
    /// Returns the chunks' bodies and the final offset.
    func readAll(_ path: String, from offset: String = "-1") async throws -> (bodies: [TestResponse], next: String) {
        var bodies: [TestResponse] = []
        var offset = offset
        for _ in 0..<10_000 {
            let response = try await read(path, offset: offset)
            guard response.status == .ok, let next = response.nextOffset else {
                throw TestFailure("reading \(path) at \(offset) answered \(response.status): \(response.text)")
            }
            bodies.append(response)
            offset = next
            if response.header("Stream-Up-To-Date") == "true" { return (bodies, next) }
        }
        throw TestFailure("reading \(path) did not reach the tail")
    }

    /// The status of `HEAD path`.
    func headStatus(_ path: String) async throws -> HTTPResponseStatus {
        try await request(.HEAD, path).status
    }

    /// Appends JSON and requires success.
    @discardableResult
    func appendJSON(_ path: String, _ json: String) async throws -> TestResponse {
        try await appendText(path, json, contentType: "application/json")
    }

    /// Waits until `count` long-polls are registered with the store (or `timeout` passes).
    func waitForLiveRequests(_ count: Int, timeout: Duration = .seconds(30)) async throws {
        try await eventually("\(count) live request(s) waiting", timeout: timeout) { self.server.liveRequestCount >= count }
    }
}

/// Polls `condition` until it holds, failing after `timeout`. For effects the protocol lets a server apply
/// asynchronously (cascading collection after a delete) and for expiry, which is a matter of wall-clock time.
func eventually(_ what: String, timeout: Duration = .seconds(30), _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while true {
        if try await condition() { return }
        guard ContinuousClock.now < deadline else { throw TestFailure("timed out waiting for \(what)") }
        try await Task.sleep(for: .milliseconds(10))
    }
}

/// A JSON array body as Swift values, for comparing JSON-mode reads.
func jsonArray(_ response: TestResponse) throws -> [Int] {
    guard let values = try response.json() as? [Int] else {
        throw TestFailure("expected a JSON array of integers, got \(response.text)")
    }
    return values
}

/// An RFC 3339 timestamp `seconds` from now, whole seconds, UTC.
func rfc3339(secondsFromNow seconds: Int) -> String {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    return formatter.string(from: Date(timeIntervalSinceNow: TimeInterval(seconds)))
}
