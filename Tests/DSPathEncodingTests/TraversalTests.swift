import DSPathEncoding
import Testing

struct TraversalTests {
    @Test(arguments: [
        (".", "%2E"),
        ("..", "%2E."),
        ("../x", "%2E.%2Fx"),
        ("/", "%2F"),
        ("//", "%2F%2F"),
        (".hidden", "%2Ehidden"),
        ("a/../../etc/passwd", "a%2F..%2F..%2Fetc%2Fpasswd"),
        ("..\\..\\windows", "%2E.%5C..%5Cwindows"),
        ("\u{0}", "%00"),
    ])
    func traversalAttemptsBecomeOneHarmlessComponent(path: String, expected: String) {
        let name = encodeStreamPath(path)
        #expect(name == expected)
        expectSafeFileName(name, for: path)
        #expect(decodeStreamPath(name) == path)
    }

    @Test func escapedLookalikesOfDotNamesAreNotDotNames() {
        for path in [".", "..", "...", ". ", ".\u{0}"] {
            let name = encodeStreamPath(path)
            #expect(!name.hasPrefix("."))
        }
    }
}
