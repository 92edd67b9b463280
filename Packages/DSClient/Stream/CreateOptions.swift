import DSProtocol
import Foundation

/// When a new stream expires.
public enum StreamExpiration: Sendable, Hashable {
    /// After this many seconds without a read or write (`Stream-TTL`); every read and write restarts the window.
    case ttl(seconds: Int)
    /// At a fixed time (`Stream-Expires-At`).
    case expiresAt(Date)

    /// The request header for this expiration.
    var header: (String, String) {
        switch self {
        case .ttl(let seconds):
            return (ProtocolHeader.streamTTL, String(seconds))
        case .expiresAt(let date):
            let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
            return (ProtocolHeader.streamExpiresAt, RFC3339.format(milliseconds: milliseconds))
        }
    }
}

/// Makes a new stream a fork of another stream on the same server: it starts with the source's data up to
/// ``offset`` and continues independently.
public struct ForkOptions: Sendable, Hashable {
    /// The URL path of the source stream (e.g. `/v1/stream/chat`).
    public var sourcePath: String
    /// Where the fork diverges; `nil` forks at the source's current tail.
    public var offset: Offset?
    /// A refinement past ``offset``: messages for JSON streams, bytes otherwise. `nil` sends none (same as 0).
    public var subOffset: Int?

    /// Forks the stream at `sourcePath` (a URL path on the same server).
    public init(sourcePath: String, offset: Offset? = nil, subOffset: Int? = nil) {
        self.sourcePath = sourcePath
        self.offset = offset
        self.subOffset = subOffset
    }

    /// Forks `source`, which must be on the same server as the new stream.
    public init(source: DurableStream, offset: Offset? = nil, subOffset: Int? = nil) {
        let path = URLComponents(string: source.url)?.percentEncodedPath ?? source.url
        self.init(sourcePath: path, offset: offset, subOffset: subOffset)
    }

    var headers: [(String, String)] {
        var headers = [(ProtocolHeader.streamForkedFrom, sourcePath)]
        if let offset { headers.append((ProtocolHeader.streamForkOffset, offset.rawValue)) }
        if let subOffset { headers.append((ProtocolHeader.streamForkSubOffset, String(subOffset))) }
        return headers
    }
}

/// The outcome of ``DurableStream/create(contentType:expiration:closed:initialData:fork:)``.
public struct CreateResult: Sendable, Hashable {
    /// `true` when this request created the stream; `false` when an identical stream already existed.
    public var created: Bool
    /// The stream's tail after any initial data.
    public var nextOffset: Offset
    /// The stream's content type.
    public var contentType: String?
    /// Whether the stream is closed.
    public var closed: Bool
}

/// A stream's metadata, as `HEAD` reports it.
public struct StreamMetadata: Sendable, Hashable {
    /// The stream's content type.
    public var contentType: String
    /// The tail: where the next append will land.
    public var nextOffset: Offset
    /// Whether the stream is closed (no more appends ever).
    public var closed: Bool
    /// The sliding time-to-live in seconds, if the stream has one.
    public var ttlSeconds: Int?
    /// The absolute expiry time as the server sent it (RFC 3339), if the stream has one.
    public var expiresAt: String?
}

/// The outcome of an append or close.
public struct AppendResult: Sendable, Hashable {
    /// The stream's tail after the request.
    public var nextOffset: Offset?
    /// Whether the stream is now closed.
    public var closed: Bool
}
