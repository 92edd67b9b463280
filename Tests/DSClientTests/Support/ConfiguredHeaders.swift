import DSClient
import Testing

/// The headers the header tests configure, a static bearer token and a per-request number from a dynamic
/// provider, and the check that every request the client made carried both.
enum ConfiguredHeaders {
    /// A configuration sending `Authorization: Bearer static-token` and `X-Request-Number: <counter.next()>`.
    static func configuration(counter: Counter, retry: RetryPolicy) -> ClientConfiguration {
        ClientConfiguration(
            headers: ["Authorization": "Bearer static-token"],
            dynamicHeaders: { ["X-Request-Number": String(counter.next())] },
            retry: retry
        )
    }

    /// Every request head carries the static token, and its own request number (the provider ran per request).
    static func expectInEvery(_ heads: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        for head in heads {
            #expect(
                head.lowercased().contains("\r\nauthorization: bearer static-token"), "missing Authorization: \(head)",
                sourceLocation: sourceLocation
            )
        }
        let numbers = heads.compactMap { head in
            head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("x-request-number:") }
                .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) }
        }
        #expect(numbers.count == heads.count, sourceLocation: sourceLocation)
        #expect(Set(numbers).count == numbers.count, sourceLocation: sourceLocation)
    }
}
