import DSPathEncoding
import Testing

struct LongPathTests {
    @Test func longestReversibleNameIsExactlyTheLimit() {
        let path = String(repeating: "x", count: StreamNameFormat.maxLength)
        #expect(encodeStreamPath(path) == path)
        #expect(decodeStreamPath(path) == path)
        #expect(!isHashedStreamName(path))
    }

    @Test func oneByteOverTheLimitIsHashed() {
        let path = String(repeating: "x", count: StreamNameFormat.maxLength + 1)
        let name = encodeStreamPath(path)
        expectSafeFileName(name, for: path)
        #expect(isHashedStreamName(name))
        #expect(decodeStreamPath(name) == nil)
    }

    @Test func hashedNameIsPrefixMarkerAndSHA256() {
        // sha256("/" + 300 × "x") = 2f2e149caf438697dcb448f24724e955..., from sha256sum.
        let path = "/" + String(repeating: "x", count: 300)
        let expected = "%2F" + String(repeating: "x", count: 204) + "~2f2e149caf438697dcb448f24724e955"
        #expect(encodeStreamPath(path) == expected)
        #expect(expected.utf8.count == StreamNameFormat.maxLength)
    }

    @Test func distinctLongPathsGetDistinctNames() {
        let shared = String(repeating: "tenant/stream/", count: 40)
        var names = Set<String>()
        for suffix in 0..<2_000 {
            let name = encodeStreamPath(shared + String(suffix))
            expectSafeFileName(name, for: shared)
            #expect(isHashedStreamName(name))
            names.insert(name)
        }
        #expect(names.count == 2_000)
    }

    @Test func prefixIsCutBetweenWholeCharacters() {
        for count in 60...90 {
            let path = String(repeating: "🦄", count: count) + String(repeating: "é", count: count)
            let name = encodeStreamPath(path)
            expectSafeFileName(name, for: path)
            #expect(isHashedStreamName(name))
            let prefix = String(name.dropLast(33))
            let decodedPrefix = decodeStreamPath(prefix)
            #expect(decodedPrefix != nil, "prefix \(prefix) should be a whole-character encoding")
            #expect(path.hasPrefix(decodedPrefix ?? "\u{FFFF}"))
        }
    }

    @Test func veryLongPathsStayWithinTheLimit() {
        let path = String(repeating: "日本/", count: 200_000)
        let name = encodeStreamPath(path)
        expectSafeFileName(name, for: "(600 000 scalars)")
        #expect(isHashedStreamName(name))
        #expect(encodeStreamPath(path + "x") != name)
    }
}
