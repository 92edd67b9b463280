/// Glob matching over stream-root-relative paths: `*` matches exactly one segment, `**` zero or more
/// segments; other segments match literally.
enum GlobPattern {
    /// Refuses empty patterns and `*`/`**` mixed with other characters in one segment.
    static func validate(_ pattern: String) throws(ControlError) {
        guard !pattern.isEmpty, !pattern.hasPrefix("/") else { throw .invalidRequest("pattern must be a non-empty stream-root-relative glob") }
        for segment in pattern.split(separator: "/", omittingEmptySubsequences: false) {
            if segment.contains("*") && segment != "*" && segment != "**" {
                throw .invalidRequest("pattern segments are literal, '*' or '**': \(pattern)")
            }
        }
    }

    /// Whether `path` matches `pattern`.
    static func matches(_ pattern: String, _ path: String) -> Bool {
        let patternSegments = pattern.split(separator: "/", omittingEmptySubsequences: false)
        let pathSegments = path.split(separator: "/", omittingEmptySubsequences: false)
        return match(patternSegments[...], pathSegments[...])
    }

    private static func match(_ pattern: ArraySlice<Substring>, _ path: ArraySlice<Substring>) -> Bool {
        guard let head = pattern.first else { return path.isEmpty }
        if head == "**" {
            // Zero segments, or consume one and try again.
            if match(pattern.dropFirst(), path) { return true }
            return !path.isEmpty && match(pattern, path.dropFirst())
        }
        guard let segment = path.first else { return false }
        guard head == "*" || head == segment else { return false }
        return match(pattern.dropFirst(), path.dropFirst())
    }
}
