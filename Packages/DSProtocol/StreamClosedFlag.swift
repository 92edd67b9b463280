/// Reads the `Stream-Closed` request header as the protocol requires.
public enum StreamClosedFlag {
    /// True only when the value is exactly `true`, compared case-insensitively; any other value
    /// (`false`, `yes`, `1`, empty) counts as if the header were absent.
    public static func isSet(_ headerValue: String?) -> Bool {
        guard let value = headerValue, value.utf8.count == 4 else { return false }
        return value.lowercased() == "true"
    }
}
