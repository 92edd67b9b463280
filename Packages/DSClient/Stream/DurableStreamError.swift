import Foundation
import DSProtocol
import NIOHTTP1

/// Everything that can go wrong talking to a Durable Streams server, with the HTTP status and the
/// protocol headers of the response when there was one.
///
/// Switch on ``code`` to react (``Code/streamClosed`` carries no data; the final offset is in
/// ``finalOffset``); ``message`` is the human explanation, including the server's own reason when it sent one.
public struct DurableStreamError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public enum Code: Sendable, Hashable {
        /// `400`: the server rejected the request as malformed.
        case badRequest
        /// `404`: there is no stream at the URL (or a fork's source does not exist).
        case notFound
        /// `410`: the stream was deleted while forks still use it, or the offset is no longer retained.
        case gone
        /// `409` for a reason other than closure or a producer gap: a create with a different configuration,
        /// a content type that does not match, or a `Stream-Seq` regression. ``message`` holds the server's reason.
        case conflict
        /// `409` with `Stream-Closed: true`: the stream is closed and accepts no more data.
        case streamClosed
        /// `403` to an idempotent producer: another producer instance claimed a newer epoch (zombie fencing).
        case staleEpoch(currentEpoch: UInt64)
        /// `409` to an idempotent producer: the server expected an earlier sequence number.
        case sequenceGap(expected: UInt64, received: UInt64)
        /// `403` without producer information: the server refused access.
        case forbidden
        /// `401`: the request lacked valid credentials.
        case unauthorized
        /// `413`: the body is larger than the server accepts.
        case payloadTooLarge
        /// `429`: rate limited; retried automatically until the retry policy gives up.
        case rateLimited
        /// `5xx`: the server failed; retried automatically until the retry policy gives up.
        case serverError
        /// Any other status the protocol does not define for the operation.
        case unexpectedStatus
        /// The connection failed, was reset, or timed out before a complete answer arrived.
        case network
        /// The server answered in a way the protocol does not allow (a missing offset, broken SSE or base64).
        case invalidResponse
        /// A JSON message could not be encoded or decoded into the requested type.
        case json
        /// The call itself was invalid (a bad URL, a producer used after it closed or failed).
        case invalidArgument
        /// The calling task was cancelled.
        case cancelled
    }

    /// What kind of failure this is.
    public var code: Code
    /// A human explanation, ending with the server's reason when it sent one.
    public var message: String
    /// The HTTP status, when the server answered.
    public var status: Int?
    /// The response headers, when the server answered (protocol headers such as `Stream-Next-Offset`,
    /// `Stream-Closed`, `Producer-Epoch`, `Producer-Expected-Seq`).
    public var headers: HTTPHeaders
    /// The error that caused this one (a NIO or AsyncHTTPClient error for ``Code/network``), if any.
    public var underlying: (any Error)?

    /// Creates an error.
    public init(
        _ code: Code,
        _ message: String,
        status: Int? = nil,
        headers: HTTPHeaders = [:],
        underlying: (any Error)? = nil
    ) {
        self.code = code
        self.message = message
        self.status = status
        self.headers = headers
        self.underlying = underlying
    }

    /// The first value of a response header (case-insensitive), if the server sent it.
    public func header(_ name: String) -> String? { headers.first(name: name) }

    /// For ``Code/streamClosed``: the stream's final offset, as the server reported it.
    public var finalOffset: Offset? { header(ProtocolHeader.streamNextOffset).map(Offset.init(rawValue:)) }

    /// The message, with the HTTP status when there was one.
    public var description: String {
        if let status { return "\(message) (HTTP \(status))" }
        return message
    }
}

extension DurableStreamError {
    /// Classifies a non-success response. `body` is the server's short reason, if any.
    static func from(status: Int, headers: HTTPHeaders, body: String, operation: String) -> DurableStreamError {
        let reason = body.trimmingCharacters(in: .whitespacesAndNewlines).prefix(500)
        let suffix = reason.isEmpty ? "" : ": \(reason)"
        func make(_ code: Code, _ what: String) -> DurableStreamError {
            DurableStreamError(code, "\(operation) failed, \(what)\(suffix)", status: status, headers: headers)
        }
        switch status {
        case 400: return make(.badRequest, "bad request")
        case 401: return make(.unauthorized, "unauthorized")
        case 403:
            if let epoch = headers.first(name: ProtocolHeader.producerEpoch).flatMap(UInt64.init) {
                return make(.staleEpoch(currentEpoch: epoch), "stale producer epoch (the server is at epoch \(epoch))")
            }
            return make(.forbidden, "forbidden")
        case 404: return make(.notFound, "stream not found")
        case 409:
            if StreamClosedFlag.isSet(headers.first(name: ProtocolHeader.streamClosed)) {
                return make(.streamClosed, "stream is closed")
            }
            if let expected = headers.first(name: ProtocolHeader.producerExpectedSeq).flatMap(UInt64.init),
                let received = headers.first(name: ProtocolHeader.producerReceivedSeq).flatMap(UInt64.init)
            {
                return make(.sequenceGap(expected: expected, received: received), "producer sequence gap")
            }
            return make(.conflict, "conflict")
        case 410: return make(.gone, "stream is gone")
        case 413: return make(.payloadTooLarge, "payload too large")
        case 429: return make(.rateLimited, "rate limited")
        case 500...599: return make(.serverError, "server error")
        default: return make(.unexpectedStatus, "unexpected status")
        }
    }

    /// Whether retrying the same request later may succeed (network failures, `429` and `5xx`).
    var isTransient: Bool {
        switch code {
        case .network, .rateLimited, .serverError: return true
        default: return false
        }
    }
}
