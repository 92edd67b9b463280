import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// One HTTP request as the client layers describe it, before the configured headers are added.
struct RequestSpec: Sendable {
    var method: HTTPMethod
    var url: String
    var headers: [(String, String)] = []
    var body: ByteBuffer?
    var timeout: Duration
}

/// A response whose body was read completely.
struct CollectedResponse: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: ByteBuffer

    var isSuccess: Bool { (200..<300).contains(status) }
    func header(_ name: String) -> String? { headers.first(name: name) }
    var text: String { String(buffer: body) }
}

/// Which failures a one-shot request may retry.
enum RetryScope {
    /// Safe to repeat: every network failure, `429` and `5xx`.
    case idempotent
    /// Not safe to repeat blindly (a plain append): only failures that prove the server did not apply the
    /// request — no connection could be made, `429`, `503`.
    case unappliedOnly
}

/// The one place requests are sent: configured headers, deadlines, retries and error mapping.
struct HTTPExchange: Sendable {
    let configuration: ClientConfiguration

    /// The largest response body a non-streaming request collects (catch-up chunks are far smaller).
    static let maxCollectedBody = 256 * 1024 * 1024

    /// Sends `spec` and returns once the response head arrived; the caller streams the body.
    func open(_ spec: RequestSpec) async throws(DurableStreamError) -> HTTPClientResponse {
        var request = HTTPClientRequest(url: spec.url)
        request.method = spec.method
        for (name, value) in configuration.headers { request.headers.replaceOrAdd(name: name, value: value) }
        if let dynamicHeaders = configuration.dynamicHeaders {
            let values: [String: String]
            do {
                values = try await dynamicHeaders()
            } catch {
                throw DurableStreamError(.invalidArgument, "the dynamic header provider failed: \(error)", underlying: error)
            }
            for (name, value) in values { request.headers.replaceOrAdd(name: name, value: value) }
        }
        for (name, value) in spec.headers { request.headers.replaceOrAdd(name: name, value: value) }
        if let body = spec.body {
            request.body = .bytes(body)
        } else if spec.method == .POST || spec.method == .PUT {
            request.headers.replaceOrAdd(name: "Content-Length", value: "0")
        }
        do {
            return try await configuration.resolvedHTTPClient.execute(request, timeout: spec.timeout.timeAmount)
        } catch {
            throw Self.mapTransportError(error, method: spec.method, url: spec.url)
        }
    }

    /// Sends `spec` once and reads the whole body.
    func exchange(_ spec: RequestSpec) async throws(DurableStreamError) -> CollectedResponse {
        let response = try await open(spec)
        do {
            let body = try await response.body.collect(upTo: Self.maxCollectedBody)
            return CollectedResponse(status: Int(response.status.code), headers: response.headers, body: body)
        } catch {
            throw Self.mapTransportError(error, method: spec.method, url: spec.url)
        }
    }

    /// Sends `spec`, retrying what `scope` allows under the configured policy, and returns the last response
    /// whatever its status (callers map statuses to results and errors).
    func perform(_ spec: RequestSpec, scope: RetryScope) async throws(DurableStreamError) -> CollectedResponse {
        var failures = 0
        while true {
            let retryAfter: Duration?
            do {
                let response = try await exchange(spec)
                guard Self.shouldRetry(status: response.status, scope: scope) else { return response }
                failures += 1
                guard configuration.retry.allowsRetry(afterFailures: failures) else { return response }
                retryAfter = Self.retryAfter(response.headers)
            } catch {
                guard error.code == .network, scope == .idempotent || Self.isConnectFailure(error.underlying) else { throw error }
                failures += 1
                guard configuration.retry.allowsRetry(afterFailures: failures) else { throw error }
                retryAfter = nil
            }
            try await Self.sleep(configuration.retry.delay(afterFailures: failures, retryAfter: retryAfter))
        }
    }

    /// Sleeps, turning cancellation into ``DurableStreamError/Code/cancelled``.
    static func sleep(_ duration: Duration) async throws(DurableStreamError) {
        do {
            try await Task.sleep(for: duration)
        } catch {
            throw DurableStreamError(.cancelled, "cancelled")
        }
    }

    static func shouldRetry(status: Int, scope: RetryScope) -> Bool {
        switch scope {
        case .idempotent: return status == 429 || (500...599).contains(status)
        case .unappliedOnly: return status == 429 || status == 503
        }
    }

    /// The `Retry-After` delay in seconds (the HTTP-date form is ignored).
    static func retryAfter(_ headers: HTTPHeaders) -> Duration? {
        guard let value = headers.first(name: "Retry-After"), let seconds = Int(value), seconds >= 0 else { return nil }
        return .seconds(seconds)
    }

    /// Whether `error` proves no request bytes reached the server: the connection was never established.
    static func isConnectFailure(_ error: (any Error)?) -> Bool {
        guard let error else { return false }
        if error is NIOConnectionError { return true }
        if let channelError = error as? ChannelError, case .connectTimeout = channelError { return true }
        if let clientError = error as? HTTPClientError, clientError == .connectTimeout { return true }
        if let ioError = error as? IOError, ioError.errnoCode == ECONNREFUSED { return true }
        return false
    }

    static func mapTransportError(_ error: any Error, method: HTTPMethod, url: String) -> DurableStreamError {
        if let error = error as? DurableStreamError { return error }
        if Task.isCancelled || error is CancellationError || (error as? HTTPClientError) == .cancelled {
            return DurableStreamError(.cancelled, "\(method) \(url) was cancelled", underlying: error)
        }
        if let clientError = error as? HTTPClientError,
            clientError == .invalidURL || clientError == .emptyHost || clientError == .emptyScheme
        {
            return DurableStreamError(.invalidArgument, "invalid stream URL \(url): \(clientError)", underlying: error)
        }
        if (error as? HTTPClientError) == .deadlineExceeded {
            return DurableStreamError(.network, "\(method) \(url) timed out", underlying: error)
        }
        return DurableStreamError(.network, "\(method) \(url) failed: \(error)", underlying: error)
    }
}
