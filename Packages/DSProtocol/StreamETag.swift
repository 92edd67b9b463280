/// Builds the `ETag` of a read: `"{stream id}:{start offset}:{end offset}"`, with `:c` appended once the
/// response shows the stream closed, so closing a stream always changes the tag.
public enum StreamETag {
    /// The quoted entity tag for a read of `[start, end)` on the stream with internal id `streamID`.
    public static func make(streamID: UInt64, start: StreamOffset, end: StreamOffset, closed: Bool) -> String {
        var tag = "\"\(streamID):\(start):\(end)"
        if closed { tag += ":c" }
        tag += "\""
        return tag
    }

    /// Whether an `If-None-Match` header value matches `etag` (list form and `*` included; weak prefixes ignored).
    public static func ifNoneMatch(_ headerValue: String, matches etag: String) -> Bool {
        for candidate in headerValue.split(separator: ",") {
            var token = Substring(String(candidate).trimmingASCIIWhitespace())
            if token == "*" { return true }
            if token.hasPrefix("W/") { token = token.dropFirst(2) }
            if token == etag { return true }
        }
        return false
    }
}
