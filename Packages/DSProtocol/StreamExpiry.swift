/// When a stream expires: never, after an idle window that slides on reads and writes, or at a fixed time.
public enum StreamExpiry: Sendable, Hashable {
    /// The stream lives until deleted.
    case none
    /// Sliding window of the given number of seconds since the last read or write (`Stream-TTL`).
    case ttl(seconds: Int64)
    /// Absolute deadline in milliseconds since the Unix epoch (`Stream-Expires-At`).
    case expiresAt(milliseconds: Int64)

    /// The largest TTL accepted: 100 years, far beyond any sensible window, small enough to never overflow.
    public static let maxTTLSeconds: Int64 = 3_153_600_000

    /// Parses the create headers strictly.
    ///
    /// - Throws: ``ProtocolError`` for a malformed value, or when both headers are present
    ///   (this server rejects the combination rather than picking one).
    public static func parse(ttl: String?, expiresAt: String?) throws(ProtocolError) -> StreamExpiry {
        switch (ttl, expiresAt) {
        case (nil, nil):
            return .none
        case (.some, .some):
            throw .invalidExpiry("Stream-TTL and Stream-Expires-At cannot be used together")
        case (let ttl?, nil):
            guard let seconds = StrictInteger.parseNonNegative(ttl, max: maxTTLSeconds) else {
                throw .invalidExpiry("Stream-TTL must be a non-negative integer number of seconds without sign, leading zeros or fraction")
            }
            return .ttl(seconds: seconds)
        case (nil, let expiresAt?):
            guard let milliseconds = RFC3339.parseMilliseconds(expiresAt) else {
                throw .invalidExpiry("Stream-Expires-At must be an RFC 3339 timestamp")
            }
            return .expiresAt(milliseconds: milliseconds)
        }
    }
}
