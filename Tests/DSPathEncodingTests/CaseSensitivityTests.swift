import DSPathEncoding
import Testing

struct CaseSensitivityTests {
    @Test func caseIsPreserved() {
        #expect(encodeStreamPath("A") == "A")
        #expect(encodeStreamPath("a") == "a")
        #expect(encodeStreamPath("Stream/Name") != encodeStreamPath("stream/name"))
        #expect(decodeStreamPath("Stream%2FName") == "Stream/Name")
    }

    @Test func escapesHaveOneSpelling() {
        // Upper-case hex only, so `%2F` and `%2f` cannot name two files on a
        // case-sensitive disk and clash on a case-insensitive one.
        #expect(decodeStreamPath("a%2Fb") == "a/b")
        #expect(decodeStreamPath("a%2fb") == nil)
        #expect(encodeStreamPath("\u{FF}") == "%C3%BF")
    }

    @Test func longPathsDifferingOnlyInCaseGetDifferentHashes() {
        let upper = String(repeating: "A", count: 300)
        let lower = String(repeating: "a", count: 300)
        #expect(encodeStreamPath(upper).suffix(32) != encodeStreamPath(lower).suffix(32))
    }
}
