import DSProtocol
import Testing

/// Content-type normalisation, pinned before its byte-level rewrite (it ran on every append).
struct StreamContentTypeTests {
    @Test func normalisesForComparisonAndKeepsTheOriginal() {
        let plain = StreamContentType("text/plain")
        #expect(plain.value == "text/plain")
        #expect(plain.mediaType == "text/plain")

        let decorated = StreamContentType("  Application/JSON ; charset=UTF-8\t")
        #expect(decorated.value == "Application/JSON ; charset=UTF-8")
        #expect(decorated.mediaType == "application/json")
        #expect(decorated.isJSON)
        #expect(decorated.matches(StreamContentType("application/json")))
        #expect(StreamContentType("TEXT/Event-Stream").mediaType == "text/event-stream")
        #expect(StreamContentType("text/plain;x=1").mediaType == "text/plain")
        #expect(StreamContentType("").mediaType == "")
        #expect(StreamContentType(" \t ").value == "")
    }

    @Test func validatesTypeSlashSubtypeTokens() {
        for good in ["text/plain", "application/vnd.api+json", "a/b; q=\"x\"", "X-Custom/Thing_1", "application/octet-stream"] {
            #expect(StreamContentType(validating: good) != nil, "\(good)")
        }
        for bad in ["", "text", "text/", "/plain", "text/plain/x", "te xt/plain", "text/pl@in", "tëxt/plain", ";text/plain"] {
            #expect(StreamContentType(validating: bad) == nil, "\(bad)")
        }
    }
}
