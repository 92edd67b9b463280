import DSPathEncoding
import Testing

struct DecodeGarbageTests {
    @Test(arguments: [
        "", ".", "..", ".x", "a/b", "/", "a\u{0}b", "a b", "é", "🦄",
        "%%", "%2", "%G0", "a%", "%2f", "%c3%a9",   // malformed or lower-case escapes
        "%41", "%2D", "%5F", "a%2E",                 // escapes of bytes written literally
        "%FF", "%C3", "%C3%28", "%ED%A0%80",         // not valid UTF-8
        "a~b", "~", "x~0123456789abcdef0123456789abcdef", "a+b", "a=b",
        String(repeating: "x", count: StreamNameFormat.maxLength + 1),
    ])
    func garbageDecodesToNil(name: String) {
        #expect(decodeStreamPath(name) == nil, "\(name.debugDescription)")
    }

    @Test(arguments: [
        "", "x", "~0123456789abcdef0123456789abcdef", "x~0123456789ABCDEF0123456789ABCDEF",
        "x~0123456789abcdef0123456789abcde", "x~0123456789abcdef0123456789abcdef0",
        ".x~0123456789abcdef0123456789abcdef", "a/b~0123456789abcdef0123456789abcdef",
        "%C3~0123456789abcdef0123456789abcdef", "a~b~0123456789abcdef0123456789abcdef",
        String(repeating: "x", count: 208) + "~0123456789abcdef0123456789abcdef",
    ])
    func notHashedNames(name: String) {
        #expect(!isHashedStreamName(name), "\(name.debugDescription)")
    }

    @Test func wellFormedHashedNameIsRecognised() {
        #expect(isHashedStreamName("x~0123456789abcdef0123456789abcdef"))
        #expect(isHashedStreamName("%C3%A9~0123456789abcdef0123456789abcdef"))
    }
}
