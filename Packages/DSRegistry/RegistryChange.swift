import DSProtocol

/// One State Protocol change message in the registry stream: a stream was inserted (created) or deleted.
///
/// Inserts carry the stream's path, content type and creation time (ms since the epoch) as `value`;
/// deletes (including expiries) carry only the key.
struct RegistryChange: Codable, Sendable, Equatable {
    /// Always ``entityType``.
    var type: String
    /// The stream's path below the stream root.
    var key: String
    /// The stream's description, on inserts.
    var value: StreamDescription?
    /// State Protocol headers: the operation and when it happened.
    var headers: Headers

    /// The State Protocol entity type of every registry message.
    static let entityType = "streams"

    struct StreamDescription: Codable, Sendable, Equatable {
        var path: String
        var contentType: String
        var createdAt: Int64
    }

    struct Headers: Codable, Sendable, Equatable {
        var operation: Operation
        var timestamp: String?
    }

    enum Operation: String, Codable, Sendable {
        case insert
        case delete
    }

    static func insert(path: String, contentType: String, createdAt: Int64) -> RegistryChange {
        RegistryChange(
            type: entityType,
            key: path,
            value: StreamDescription(path: path, contentType: contentType, createdAt: createdAt),
            headers: Headers(operation: .insert, timestamp: RFC3339.format(milliseconds: createdAt))
        )
    }

    static func delete(path: String, at milliseconds: Int64) -> RegistryChange {
        RegistryChange(type: entityType, key: path, value: nil, headers: Headers(operation: .delete, timestamp: RFC3339.format(milliseconds: milliseconds)))
    }
}
