import DSProtocol

/// The rule of PROTOCOL.md §5.1 for `PUT` on an existing stream: `200` when content type, expiry,
/// closure status and fork configuration match, `409` otherwise. Shared by every store.
public enum CreateMatching {
    /// Throws ``StoreError/configurationMismatch(reason:)`` naming the first difference.
    public static func check(_ request: CreateStreamRequest, against existing: StreamInfo) throws(StoreError) {
        let requestedType = request.contentType ?? (request.fork == nil ? StreamContentType.defaultType : existing.contentType)
        if !requestedType.matches(existing.contentType) {
            throw .configurationMismatch(reason: "content type is \(existing.contentType.mediaType)")
        }
        // A fork request without expiry headers asks for whatever the fork inherited from its source.
        let inheritsExpiry = request.fork != nil && request.expiry == .none && existing.expiryInherited
        if !inheritsExpiry && request.expiry != existing.expiry {
            throw .configurationMismatch(reason: "TTL or expiry differs")
        }
        if request.closed != existing.closed {
            throw .configurationMismatch(reason: existing.closed ? "stream is closed" : "stream is open")
        }
        if request.fork?.sourcePath != existing.fork?.sourcePath
            || (request.fork?.offset != nil && request.fork?.offset != existing.fork?.offset)
            || (request.fork?.subOffset ?? 0) != (existing.fork?.subOffset ?? 0)
        {
            throw .configurationMismatch(reason: "fork configuration differs")
        }
    }
}
