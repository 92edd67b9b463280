import AsyncHTTPClient
import DSServer
import DSStore
import Foundation
import NIOCore
import NIOHTTP1

/// An embedded ``DurableStreamServer`` on an ephemeral loopback port, with HTTP helpers for tests.
public final class TestServer: Sendable {
    /// The running server.
    public let server: DurableStreamServer
    /// The store behind it.
    public let store: any StreamStore

    private init(server: DurableStreamServer, store: any StreamStore) {
        self.server = server
        self.store = store
    }

    /// Starts a server on `127.0.0.1:0` with `kind`'s store; `configure` adjusts the options first.
    public static func start(
        _ kind: StoreKind = .memory,
        configure: (inout ServerOptions) -> Void = { _ in }
    ) async throws -> TestServer {
        try await start(store: kind.makeStore(), configure: configure)
    }

    /// Starts a server on `127.0.0.1:0` serving `store` (which the server closes when it stops).
    public static func start(
        store: any StreamStore,
        configure: (inout ServerOptions) -> Void = { _ in }
    ) async throws -> TestServer {
        var options = ServerOptions(port: 0, host: "127.0.0.1", store: store, eventLoopThreads: 2)
        configure(&options)
        let server = DurableStreamServer(options: options)
        try await server.start()
        return TestServer(server: server, store: options.store)
    }

    /// Runs `body` against a fresh server and always stops it.
    public static func with<T: Sendable>(
        _ kind: StoreKind = .memory,
        configure: (inout ServerOptions) -> Void = { _ in },
        _ body: (TestServer) async throws -> T
    ) async throws -> T {
        try await with(store: kind.makeStore(), configure: configure, body)
    }

    /// Runs `body` against a fresh server on `store` and always stops it (which closes the store).
    @discardableResult
    public static func with<T: Sendable>(
        store: any StreamStore,
        configure: (inout ServerOptions) -> Void = { _ in },
        _ body: (TestServer) async throws -> T
    ) async throws -> T {
        let server = try await start(store: store, configure: configure)
        do {
            let result = try await body(server)
            try await server.stop()
            return result
        } catch {
            try? await server.stop()
            throw error
        }
    }

    /// Stops the server.
    public func stop() async throws { try await server.stop() }

    /// The bound port.
    public var port: Int { server.port }

    /// The absolute URL of a stream path (below the root) or of an absolute path starting with `/`.
    public func url(_ path: String) -> String {
        path.hasPrefix("/") ? server.baseURL + path : server.streamRootURL + path
    }

    /// The URL path (no host) of a stream.
    public func urlPath(_ path: String) -> String { server.options.streamRoot + path }

    /// Sends one request and collects the whole response (at most 256 MiB).
    @discardableResult
    public func request(
        _ method: HTTPMethod,
        _ path: String,
        headers: [(String, String)] = [],
        body: ByteBuffer? = nil,
        timeout: TimeAmount = .seconds(30)
    ) async throws -> TestResponse {
        var request = HTTPClientRequest(url: url(path))
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(body) }
        let response = try await TestHTTPClient.shared.execute(request, timeout: timeout)
        let bytes = try await response.body.collect(upTo: 256 * 1024 * 1024)
        return TestResponse(status: response.status, headers: response.headers, body: bytes)
    }

    /// Convenience for text bodies.
    @discardableResult
    public func request(
        _ method: HTTPMethod,
        _ path: String,
        headers: [(String, String)] = [],
        text: String,
        timeout: TimeAmount = .seconds(30)
    ) async throws -> TestResponse {
        try await request(method, path, headers: headers, body: ByteBuffer(string: text), timeout: timeout)
    }

    /// Creates a stream and checks it was created.
    @discardableResult
    public func createStream(
        _ path: String,
        contentType: String = "text/plain",
        headers: [(String, String)] = [],
        body: String? = nil
    ) async throws -> TestResponse {
        let response = try await request(
            .PUT, path, headers: [("Content-Type", contentType)] + headers, body: body.map { ByteBuffer(string: $0) }
        )
        guard response.status == .created else {
            throw TestFailure("creating \(path) answered \(response.status): \(response.text)")
        }
        return response
    }

    /// Appends text and checks it was accepted.
    @discardableResult
    public func appendText(_ path: String, _ text: String, contentType: String = "text/plain", headers: [(String, String)] = []) async throws -> TestResponse {
        let response = try await request(.POST, path, headers: [("Content-Type", contentType)] + headers, text: text)
        guard response.status == .noContent || response.status == .ok else {
            throw TestFailure("appending to \(path) answered \(response.status): \(response.text)")
        }
        return response
    }
}

/// A collected HTTP response.
public struct TestResponse: Sendable {
    /// Status.
    public var status: HTTPResponseStatus
    /// Headers.
    public var headers: HTTPHeaders
    /// Body.
    public var body: ByteBuffer

    /// The body as UTF-8 text.
    public var text: String { String(buffer: body) }
    /// The body bytes.
    public var bytes: [UInt8] { Array(body.readableBytesView) }
    /// First value of a header.
    public func header(_ name: String) -> String? { headers.first(name: name) }
    /// `Stream-Next-Offset`.
    public var nextOffset: String? { header("Stream-Next-Offset") }
    /// The body parsed as JSON.
    public func json() throws -> Any { try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]) }
}

/// A failed expectation inside a helper.
public struct TestFailure: Error, CustomStringConvertible {
    /// What went wrong.
    public var description: String
    /// Creates a failure.
    public init(_ description: String) { self.description = description }
}

/// A stream path no other test uses.
public func uniquePath(_ prefix: String = "test") -> String {
    "\(prefix)-\(UUID().uuidString.lowercased())"
}
