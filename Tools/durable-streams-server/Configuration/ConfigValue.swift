import Foundation

/// One configuration value as a source gave it: JSON types from the config file, strings from the
/// environment and flags (parsed by the typed readers in ``ConfigReader``).
enum ConfigValue: Sendable, Equatable, Decodable {
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case list([ConfigValue])
    case object([String: ConfigValue])
    case null

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int.self) {
            self = .int(value)
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([ConfigValue].self) {
            self = .list(value)
        } else {
            self = .object(try container.decode([String: ConfigValue].self))
        }
    }

    /// A short rendering for error messages.
    var brief: String {
        switch self {
        case .bool(let value): return String(value)
        case .int(let value): return String(value)
        case .double(let value): return String(value)
        case .string(let value): return "'\(value)'"
        case .list: return "a list"
        case .object: return "an object"
        case .null: return "null"
        }
    }
}

/// Where a configuration value came from; names the key the way that source spells it.
enum ConfigOrigin: Sendable, Equatable {
    case file(String)
    case environment
    case flag

    func name(of key: String) -> String {
        switch self {
        case .file(let path): return "'\(key)' in \(path)"
        case .environment: return ConfigOrigin.environmentName(of: key)
        case .flag: return "--\(key)"
        }
    }

    /// `long-poll-timeout-ms` → `DS_LONG_POLL_TIMEOUT_MS`.
    static func environmentName(of key: String) -> String {
        "DS_" + key.uppercased().replacingOccurrences(of: "-", with: "_")
    }
}

/// A configuration problem, naming the key as its source spells it.
struct ConfigurationError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) { self.description = "invalid configuration: " + description }

    init(key: String, origin: ConfigOrigin, _ problem: String) {
        self.init("\(origin.name(of: key)): \(problem)")
    }
}
