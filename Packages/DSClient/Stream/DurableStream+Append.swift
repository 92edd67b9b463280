import DSProtocol
import Foundation
import NIOCore
import NIOHTTP1

extension DurableStream {
    /// Appends `body` (`POST`).
    ///
    /// A plain append is not idempotent, so it is retried only when the server provably did not apply it
    /// (no connection, `429`, `503`). For exactly-once appends with safe retries use ``IdempotentProducer``.
    ///
    /// - Parameters:
    ///   - contentType: the request's content type; `nil` uses the stream's (fetched with `HEAD` once if unknown).
    ///   - seq: an optional `Stream-Seq` value; the server rejects a value not greater than the last one.
    /// - Throws: ``DurableStreamError`` with ``DurableStreamError/Code/streamClosed`` once the stream is closed,
    ///   ``DurableStreamError/Code/conflict`` for a content-type mismatch or `Stream-Seq` regression.
    @discardableResult
    public func append(_ body: StreamBody, contentType: String? = nil, seq: String? = nil) async throws(DurableStreamError) -> AppendResult {
        guard body.count > 0 else {
            throw DurableStreamError(.invalidArgument, "an append needs at least one byte (use close() to close without data)")
        }
        return try await post(body: body, contentType: contentType, close: false, seq: seq, operation: "append")
    }

    /// Appends UTF-8 text.
    @discardableResult
    public func append(_ text: String, seq: String? = nil) async throws(DurableStreamError) -> AppendResult {
        try await append(StreamBody(text: text), seq: seq)
    }

    /// Appends raw bytes (`[UInt8]`, `Data`, …).
    @discardableResult
    public func append(_ bytes: some Sequence<UInt8>, seq: String? = nil) async throws(DurableStreamError) -> AppendResult {
        try await append(StreamBody(bytes: bytes), seq: seq)
    }

    /// Appends the bytes of a `ByteBuffer`.
    @discardableResult
    public func append(_ buffer: ByteBuffer, seq: String? = nil) async throws(DurableStreamError) -> AppendResult {
        try await append(StreamBody(buffer), seq: seq)
    }

    /// Appends one JSON message to a JSON stream.
    @discardableResult
    public func append<T: Encodable>(json value: T, encoder: JSONEncoder = JSONEncoder(), seq: String? = nil) async throws(DurableStreamError) -> AppendResult {
        try await append(StreamBody.json(value, encoder: encoder), seq: seq)
    }

    /// Appends several JSON messages in one request; each value becomes one message.
    @discardableResult
    public func appendJSON<T: Encodable>(_ values: [T], encoder: JSONEncoder = JSONEncoder(), seq: String? = nil) async throws(DurableStreamError) -> AppendResult {
        guard !values.isEmpty else { throw DurableStreamError(.invalidArgument, "appendJSON needs at least one value") }
        return try await append(StreamBody.jsonBatch(values, encoder: encoder), seq: seq)
    }

    /// Closes the stream without appending: readers reach end-of-stream once they have read everything.
    /// Closing a closed stream succeeds.
    @discardableResult
    public func close() async throws(DurableStreamError) -> AppendResult {
        try await post(body: nil, contentType: nil, close: true, seq: nil, operation: "close")
    }

    /// Appends `final` and closes the stream in one atomic step.
    @discardableResult
    public func close(final body: StreamBody, contentType: String? = nil) async throws(DurableStreamError) -> AppendResult {
        guard body.count > 0 else { return try await close() }
        return try await post(body: body, contentType: contentType, close: true, seq: nil, operation: "close")
    }

    private func post(
        body: StreamBody?,
        contentType: String?,
        close: Bool,
        seq: String?,
        operation: String
    ) async throws(DurableStreamError) -> AppendResult {
        var headers: [(String, String)] = []
        if let body {
            let type: String
            if let contentType {
                type = contentType
            } else if body.isJSONBatch, self.contentType == nil {
                type = "application/json"
            } else {
                type = try await resolvedContentType()
            }
            headers.append(("Content-Type", type))
        }
        if close { headers.append((ProtocolHeader.streamClosed, "true")) }
        if let seq { headers.append((ProtocolHeader.streamSeq, seq)) }
        let spec = RequestSpec(method: .POST, url: url, headers: headers, body: body?.buffer, timeout: configuration.requestTimeout)
        // Closing without data is idempotent; anything carrying data is not.
        let response = try await exchange.perform(spec, scope: body == nil ? .idempotent : .unappliedOnly)
        guard response.isSuccess else {
            throw DurableStreamError.from(status: response.status, headers: response.headers, body: response.text, operation: operation)
        }
        return AppendResult(
            nextOffset: response.header(ProtocolHeader.streamNextOffset).map(Offset.init(rawValue:)),
            closed: StreamClosedFlag.isSet(response.header(ProtocolHeader.streamClosed))
        )
    }
}
