import Crypto
import Foundation

/// How a subscription wakes its workers.
enum DeliveryType: String, Codable, Sendable {
    /// A signed `POST` to `webhook.url`.
    case webhook
    /// Wake events appended to `wake_stream`, claimed by workers.
    case pullWake = "pull-wake"
}

/// The client-chosen configuration of a subscription (PROTOCOL.md §6.2), normalised.
struct SubscriptionConfig: Codable, Sendable, Hashable {
    var type: DeliveryType
    var pattern: String?
    /// Explicit streams, sorted and without duplicates.
    var streams: [String]
    var webhookURL: String?
    var wakeStream: String?
    var leaseTTLMilliseconds: Int64
    var description: String?

    static let defaultLeaseTTL: Int64 = 30_000
    static let leaseTTLRange: ClosedRange<Int64> = 1_000...600_000

    /// The SHA-256 of the canonical serialisation: what re-confirmation compares.
    var hash: String {
        let canonical = JSONValue.object([
            ("type", .string(type.rawValue)),
            ("pattern", .optional(pattern)),
            ("streams", .array(streams.map(JSONValue.string))),
            ("webhook_url", .optional(webhookURL)),
            ("wake_stream", .optional(wakeStream)),
            ("lease_ttl_ms", .int(leaseTTLMilliseconds)),
            ("description", .optional(description)),
        ]).serialized()
        return SHA256.hash(data: Data(canonical.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Validates a `PUT` body into a configuration.
    static func parse(_ body: [String: JSONInput]) throws(ControlError) -> SubscriptionConfig {
        guard let typeName = body["type"]?.string else { throw .invalidRequest("type is required: webhook or pull-wake") }
        guard let type = DeliveryType(rawValue: typeName) else { throw .invalidRequest("type must be webhook or pull-wake") }
        let pattern = try optionalString(body, "pattern")
        if let pattern { try GlobPattern.validate(pattern) }
        var streams: [String] = []
        if let value = body["streams"], !value.isNull {
            guard let array = value.array else { throw .invalidRequest("streams must be an array of stream paths") }
            for item in array {
                guard let path = item.string else { throw .invalidRequest("streams must be an array of stream paths") }
                streams.append(try StreamPathRule.validate(path))
            }
        }
        streams = Array(Set(streams)).sorted()
        guard pattern != nil || !streams.isEmpty else { throw .invalidRequest("at least one of pattern or streams is required") }

        var webhookURL: String?
        if let webhook = body["webhook"], !webhook.isNull {
            guard let object = webhook.object else { throw .invalidRequest("webhook must be an object with a url") }
            guard let url = object["url"]?.string, !url.isEmpty else { throw .invalidRequest("webhook.url must be a string") }
            webhookURL = url
        }
        let wakeStream = try optionalString(body, "wake_stream").map { path throws(ControlError) in try StreamPathRule.validate(path) }
        // The other type's field is accepted and kept (PROTOCOL.md §6.2's own example sends a webhook
        // subscription with a `wake_stream`); only the field of the subscription's type is used for delivery.
        switch type {
        case .webhook:
            guard webhookURL != nil else { throw .invalidRequest("webhook.url is required for type webhook") }
        case .pullWake:
            guard wakeStream != nil else { throw .invalidRequest("wake_stream is required for type pull-wake") }
        }

        var lease = defaultLeaseTTL
        if let value = body["lease_ttl_ms"], !value.isNull {
            guard let ms = value.int, leaseTTLRange.contains(ms) else {
                throw .invalidRequest("lease_ttl_ms must be an integer from 1000 to 600000")
            }
            lease = ms
        }
        let description = try optionalString(body, "description")
        return SubscriptionConfig(
            type: type,
            pattern: pattern,
            streams: streams,
            webhookURL: webhookURL,
            wakeStream: wakeStream,
            leaseTTLMilliseconds: lease,
            description: description
        )
    }

    private static func optionalString(_ body: [String: JSONInput], _ key: String) throws(ControlError) -> String? {
        guard let value = body[key], !value.isNull else { return nil }
        guard let text = value.string else { throw .invalidRequest("\(key) must be a string") }
        return text
    }
}

/// Rules for stream-root-relative paths named in subscription bodies.
enum StreamPathRule {
    /// Returns the path when it names a possible application stream.
    static func validate(_ path: String) throws(ControlError) -> String {
        guard !path.isEmpty, !path.hasPrefix("/") else { throw .invalidRequest("stream paths are stream-root-relative: \(path)") }
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        if segments.first == "__ds" { throw .invalidRequest("__ds paths are reserved: \(path)") }
        if path.utf8.contains(0) || segments.contains(where: { $0 == "." || $0 == ".." }) {
            throw .invalidRequest("invalid stream path: \(path)")
        }
        return path
    }
}

/// Rules for client-provided subscription ids.
enum SubscriptionID {
    /// Ids are 1–128 characters of letters, digits, `-`, `_`, `.`, `~` and `:`.
    static func isValid(_ id: String) -> Bool {
        guard (1...128).contains(id.utf8.count) else { return false }
        return id.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                return true
            case UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"), UInt8(ascii: ":"):
                return true
            default:
                return false
            }
        }
    }
}
