/// A parsed Prometheus text exposition: sample values by series (`name{labels}`).
public struct MetricsScrape: Sendable {
    /// Every sample line's value, by its series.
    public let samples: [String: Double]
    /// The exposition as served.
    public let text: String

    /// Parses an exposition.
    public init(_ text: String) {
        self.text = text
        var samples: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            samples[String(line[..<space])] = value
        }
        self.samples = samples
    }

    /// The value of a series such as `ds_http_requests_total{method="PUT",status="201"}`; 0 when absent.
    public subscript(_ series: String) -> Double { samples[series] ?? 0 }

    /// Scrapes `path` (default `/metrics`) on `server`.
    public static func scrape(_ server: TestServer, path: String = "/metrics", headers: [(String, String)] = []) async throws -> MetricsScrape {
        let response = try await server.request(.GET, path, headers: headers)
        guard response.status == .ok else { throw TestFailure("\(path) answered \(response.status): \(response.text)") }
        return MetricsScrape(response.text)
    }
}
