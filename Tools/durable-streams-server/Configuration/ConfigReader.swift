import Foundation

/// Reads typed settings from three layers, flags over environment over file, and reports every problem
/// with the key spelled as its source spells it (`--port`, `DS_PORT`, `'port' in server.json`).
struct ConfigReader {
    private struct Entry {
        var value: ConfigValue
        var origin: ConfigOrigin
    }

    private var entries: [String: Entry] = [:]
    /// Environment variables with the `DS_` prefix that name no key (typos, other programs).
    private(set) var unknownEnvironment: [String] = []

    /// Every key a source may set.
    static let knownKeys: Set<String> = Set(ConfigKey.all)

    /// Layers the sources; throws for unknown keys in the file.
    init(file: (path: String, values: [String: ConfigValue])?, environment: [String: String], flags: [String: ConfigValue]) throws {
        if let file {
            for (key, value) in file.values.sorted(by: { $0.key < $1.key }) {
                guard Self.knownKeys.contains(key) else {
                    throw ConfigurationError(key: key, origin: .file(file.path), "unknown key (see Docs/deployment.md for every option)")
                }
                if value != .null { entries[key] = Entry(value: value, origin: .file(file.path)) }
            }
        }
        let byEnvironmentName = Dictionary(uniqueKeysWithValues: Self.knownKeys.map { (ConfigOrigin.environmentName(of: $0), $0) })
        for (name, value) in environment.sorted(by: { $0.key < $1.key }) where name.hasPrefix("DS_") {
            guard let key = byEnvironmentName[name] else {
                unknownEnvironment.append(name)
                continue
            }
            entries[key] = Entry(value: .string(value), origin: .environment)
        }
        for (key, value) in flags {
            precondition(Self.knownKeys.contains(key), "flag for unknown key \(key)")
            entries[key] = Entry(value: value, origin: .flag)
        }
    }

    /// Loads a JSON config file: one object whose keys are the long flag names without dashes.
    static func loadFile(_ path: String) throws -> [String: ConfigValue] {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ConfigurationError("--config: cannot read \(path): \(error.localizedDescription)")
        }
        do {
            return try JSONDecoder().decode([String: ConfigValue].self, from: data)
        } catch DecodingError.typeMismatch {
            throw ConfigurationError("\(path): the config file must be one JSON object")
        } catch {
            throw ConfigurationError("\(path): not valid JSON: \(Self.describe(error))")
        }
    }

    private static func describe(_ error: any Error) -> String {
        if case DecodingError.dataCorrupted(let context) = error {
            return (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String ?? context.debugDescription
        }
        return "\(error)"
    }

    /// Whether any source set the key.
    func isSet(_ key: String) -> Bool { entries[key] != nil }

    private func fail(_ key: String, _ problem: String) -> ConfigurationError {
        ConfigurationError(key: key, origin: entries[key]?.origin ?? .flag, problem)
    }

    // MARK: Typed readers

    func string(_ key: String) throws -> String? {
        guard let entry = entries[key] else { return nil }
        guard case .string(let value) = entry.value else { throw fail(key, "expected a string, got \(entry.value.brief)") }
        return value
    }

    func int(_ key: String, in range: ClosedRange<Int> = Int.min...Int.max) throws -> Int? {
        guard let entry = entries[key] else { return nil }
        let parsed: Int?
        switch entry.value {
        case .int(let value): parsed = value
        case .string(let text) where !Self.isFile(entry.origin): parsed = Int(text.trimmingCharacters(in: .whitespaces))
        default: parsed = nil
        }
        guard let value = parsed else { throw fail(key, "expected an integer, got \(entry.value.brief)") }
        guard range.contains(value) else { throw fail(key, "must be \(Self.describe(range)), got \(value)") }
        return value
    }

    func double(_ key: String, minimum: Double, exclusive: Bool = false) throws -> Double? {
        guard let entry = entries[key] else { return nil }
        let parsed: Double?
        switch entry.value {
        case .int(let value): parsed = Double(value)
        case .double(let value): parsed = value
        case .string(let text) where !Self.isFile(entry.origin): parsed = Double(text.trimmingCharacters(in: .whitespaces))
        default: parsed = nil
        }
        guard let value = parsed, value.isFinite else { throw fail(key, "expected a number, got \(entry.value.brief)") }
        guard exclusive ? value > minimum : value >= minimum else {
            throw fail(key, "must be \(exclusive ? "greater than" : "at least") \(Self.trim(minimum)), got \(Self.trim(value))")
        }
        return value
    }

    func bool(_ key: String) throws -> Bool? {
        guard let entry = entries[key] else { return nil }
        switch entry.value {
        case .bool(let value): return value
        case .string(let text) where !Self.isFile(entry.origin):
            switch text.lowercased() {
            case "true", "1", "yes", "on": return true
            case "false", "0", "no", "off": return false
            default: break
            }
        default: break
        }
        throw fail(key, "expected true or false, got \(entry.value.brief)")
    }

    /// One of `choices`.
    func choice(_ key: String, _ choices: [String]) throws -> String? {
        guard let value = try string(key) else { return nil }
        guard choices.contains(value) else { throw fail(key, "must be one of \(choices.joined(separator: ", ")), got '\(value)'") }
        return value
    }

    /// A list of strings: a JSON array in the file, comma-separated in the environment, repeated or
    /// comma-separated flags.
    func stringList(_ key: String) throws -> [String]? {
        guard let entry = entries[key] else { return nil }
        switch entry.value {
        case .string(let text):
            return text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        case .list(let items):
            return try items.flatMap { item -> [String] in
                guard case .string(let text) = item else { throw fail(key, "expected a list of strings, found \(item.brief)") }
                return Self.isFile(entry.origin)
                    ? [text] : text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            }
        default:
            throw fail(key, "expected a list of strings, got \(entry.value.brief)")
        }
    }

    /// A list of JSON objects: an array in the file, a JSON array text in the environment.
    func objectList(_ key: String) throws -> [[String: ConfigValue]]? {
        guard let entry = entries[key] else { return nil }
        var value = entry.value
        if case .string(let text) = value, !Self.isFile(entry.origin) {
            guard let decoded = try? JSONDecoder().decode(ConfigValue.self, from: Data(text.utf8)) else {
                throw fail(key, "expected a JSON array of objects")
            }
            value = decoded
        }
        guard case .list(let items) = value else { throw fail(key, "expected a list of objects, got \(value.brief)") }
        return try items.map { item in
            guard case .object(let object) = item else { throw fail(key, "expected a list of objects, found \(item.brief)") }
            return object
        }
    }

    /// Reports a problem with a key's value found after reading it (cross-key rules, files that fail to load).
    func problem(_ key: String, _ text: String) -> ConfigurationError { fail(key, text) }

    private static func isFile(_ origin: ConfigOrigin) -> Bool {
        if case .file = origin { return true }
        return false
    }

    private static func describe(_ range: ClosedRange<Int>) -> String {
        if range.upperBound == Int.max { return "at least \(range.lowerBound)" }
        return "between \(range.lowerBound) and \(range.upperBound)"
    }

    private static func trim(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
