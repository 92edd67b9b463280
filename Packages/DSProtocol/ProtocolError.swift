/// A request that breaks the protocol's rules before any stream is touched.
///
/// Each case maps to `400 Bad Request` (the server decides the status in one place); the message is short and plain.
public enum ProtocolError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The `offset` query parameter is not `-1`, `now` or a server-minted offset.
    case malformedOffset(String)
    /// The `live` query parameter names no known mode, or a live read lacks `offset`.
    case invalidLiveMode(String)
    /// Producer headers are incomplete or malformed.
    case invalidProducerHeaders(String)
    /// `Stream-TTL` / `Stream-Expires-At` are malformed or combined.
    case invalidExpiry(String)
    /// The `Content-Type` header is not a valid media type.
    case invalidContentType(String)
    /// Fork headers are malformed or used without `Stream-Forked-From`.
    case invalidFork(String)
    /// A JSON-mode body is not valid JSON.
    case invalidJSON(String)
    /// A JSON-mode append holds an empty array.
    case emptyJSONArray
    /// An append carries no body and does not close the stream.
    case emptyBody
    /// Any other malformed request.
    case badRequest(String)

    /// The human-readable reason sent in the response body.
    public var description: String {
        switch self {
        case .malformedOffset(let value): return "malformed offset: \(value.prefix(64))"
        case .invalidLiveMode(let reason), .invalidProducerHeaders(let reason), .invalidExpiry(let reason),
            .invalidFork(let reason), .badRequest(let reason):
            return reason
        case .invalidContentType(let value): return "invalid Content-Type: \(value.prefix(64))"
        case .invalidJSON(let reason): return "invalid JSON: \(reason)"
        case .emptyJSONArray: return "empty JSON array: an append must carry at least one message"
        case .emptyBody: return "empty body: an append needs data unless Stream-Closed: true closes the stream"
        }
    }
}
