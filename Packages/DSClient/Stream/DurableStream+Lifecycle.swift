import DSProtocol
import NIOCore
import NIOHTTP1

extension DurableStream {
    /// Creates the stream (`PUT`), or confirms that an identical one exists.
    ///
    /// - Parameters:
    ///   - contentType: the stream's content type; `nil` lets the server choose (`application/octet-stream`),
    ///     or inherits the source's type for a fork.
    ///   - expiration: a sliding TTL or an absolute expiry time.
    ///   - closed: create the stream already closed; `initialData` is then its whole content.
    ///   - initialData: the first bytes of the stream.
    ///   - fork: create the stream as a fork of another stream on the same server.
    /// - Throws: ``DurableStreamError`` with ``DurableStreamError/Code/conflict`` when a stream with a different
    ///   configuration exists, ``DurableStreamError/Code/notFound`` when a fork's source does not exist.
    @discardableResult
    public func create(
        contentType: String? = nil,
        expiration: StreamExpiration? = nil,
        closed: Bool = false,
        initialData: StreamBody? = nil,
        fork: ForkOptions? = nil
    ) async throws(DurableStreamError) -> CreateResult {
        var headers: [(String, String)] = []
        if let contentType { headers.append(("Content-Type", contentType)) }
        if let expiration { headers.append(expiration.header) }
        if closed { headers.append((ProtocolHeader.streamClosed, "true")) }
        if let fork { headers += fork.headers }
        let spec = RequestSpec(
            method: .PUT, url: url, headers: headers, body: initialData?.buffer, timeout: configuration.requestTimeout
        )
        let response = try await exchange.perform(spec, scope: .idempotent)
        guard response.status == 201 || response.status == 200 else {
            throw DurableStreamError.from(status: response.status, headers: response.headers, body: response.text, operation: "create")
        }
        let type = response.header("Content-Type") ?? contentType
        remember(contentType: type)
        return CreateResult(
            created: response.status == 201,
            nextOffset: Offset(rawValue: response.header(ProtocolHeader.streamNextOffset) ?? Offset.beginning.rawValue),
            contentType: type,
            closed: StreamClosedFlag.isSet(response.header(ProtocolHeader.streamClosed))
        )
    }

    /// Reads the stream's metadata (`HEAD`) without transferring data.
    public func head() async throws(DurableStreamError) -> StreamMetadata {
        let spec = RequestSpec(method: .HEAD, url: url, timeout: configuration.requestTimeout)
        let response = try await exchange.perform(spec, scope: .idempotent)
        guard response.status == 200 else {
            throw DurableStreamError.from(status: response.status, headers: response.headers, body: "", operation: "head")
        }
        guard let next = response.header(ProtocolHeader.streamNextOffset) else {
            throw DurableStreamError(.invalidResponse, "HEAD \(url) answered without Stream-Next-Offset", status: 200, headers: response.headers)
        }
        let contentType = response.header("Content-Type") ?? StreamContentType.defaultType.value
        remember(contentType: contentType)
        return StreamMetadata(
            contentType: contentType,
            nextOffset: Offset(rawValue: next),
            closed: StreamClosedFlag.isSet(response.header(ProtocolHeader.streamClosed)),
            ttlSeconds: response.header(ProtocolHeader.streamTTL).flatMap { Int($0) },
            expiresAt: response.header(ProtocolHeader.streamExpiresAt)
        )
    }

    /// Deletes the stream and its data.
    ///
    /// A retry after a lost response that finds the stream already gone counts as success.
    public func delete() async throws(DurableStreamError) {
        var failures = 0
        while true {
            let spec = RequestSpec(method: .DELETE, url: url, timeout: configuration.requestTimeout)
            let response: CollectedResponse
            do {
                response = try await exchange.exchange(spec)
            } catch {
                guard error.code == .network else { throw error }
                failures += 1
                guard configuration.retry.allowsRetry(afterFailures: failures) else { throw error }
                try await HTTPExchange.sleep(configuration.retry.delay(afterFailures: failures))
                continue
            }
            if response.isSuccess || (response.status == 404 && failures > 0) { return }
            if HTTPExchange.shouldRetry(status: response.status, scope: .idempotent) {
                failures += 1
                if configuration.retry.allowsRetry(afterFailures: failures) {
                    try await HTTPExchange.sleep(
                        configuration.retry.delay(afterFailures: failures, retryAfter: HTTPExchange.retryAfter(response.headers))
                    )
                    continue
                }
            }
            throw DurableStreamError.from(status: response.status, headers: response.headers, body: response.text, operation: "delete")
        }
    }
}
