import DSProtocol
import Testing

/// Normalisation and validation of content types, pinned so the per-append parse can stay allocation-free
/// for the usual values without changing what it accepts.
struct StreamContentTypeTests {
    @Test func valueIsTrimmedAndMediaTypeNormalised() {
        let cases: [(String, value: String, mediaType: String)] = [
            ("text/plain", "text/plain", "text/plain"),
            ("  text/plain\t", "text/plain", "text/plain"),
            ("Text/Plain; Charset=UTF-8", "Text/Plain; Charset=UTF-8", "text/plain"),
            ("application/json ;charset=utf-8", "application/json ;charset=utf-8", "application/json"),
            ("APPLICATION/JSON", "APPLICATION/JSON", "application/json"),
            ("text/plain;", "text/plain;", "text/plain"),
            ("", "", ""),
            ("   ", "", ""),
            ("ÄPPLICATION/x", "ÄPPLICATION/x", "äpplication/x"),
        ]
        for (input, value, mediaType) in cases {
            let contentType = StreamContentType(input)
            #expect(contentType.value == value, "\(input)")
            #expect(contentType.mediaType == mediaType, "\(input)")
        }
    }

    @Test func validation() {
        for good in ["text/plain", "application/vnd.api+json", "x-a/b_c!#$%&'*+-.^_`|~9", "TEXT/PLAIN; charset=utf-8", " a/b "] {
            #expect(StreamContentType(validating: good) != nil, "\(good)")
        }
        for bad in ["", "text", "text/", "/plain", "text/plain/x", "te xt/plain", "text/pl@in", "ä/b", "text/plain\r\nX: y", "a/b c"] {
            #expect(StreamContentType(validating: bad) == nil, "\(bad)")
        }
    }

    @Test func modesAndMatching() {
        #expect(StreamContentType("Application/JSON; charset=utf-8").isJSON)
        #expect(!StreamContentType("application/json-seq").isJSON)
        #expect(StreamContentType("TEXT/markdown").isSSETextNative)
        #expect(!StreamContentType("application/octet-stream").isSSETextNative)
        #expect(StreamContentType("text/plain; charset=utf-8").matches(StreamContentType("TEXT/PLAIN")))
        #expect(!StreamContentType("text/plain").matches(StreamContentType("text/html")))
    }
}
