import DSPathEncoding
import Foundation
import Testing

struct RoundTripTests {
    @Test(arguments: [
        "", "a", "stream", "orders/2024/q1", "/leading/slash", "trailing/", "a.b.c", "a b",
        "100%", "%2F", "~user", "tab\there", "nul\u{0}byte", "new\nline", "back\\slash",
        "ünïcödé", "日本語/ストリーム", "emoji 🦄🎉", "flag 🇫🇷", "e\u{301}", "\u{E9}",
        "..", ".", "../x", "./x", ".hidden", "a/../../etc/passwd", "con", "NUL", "a:b*c?d\"e<f>g|h",
        String(repeating: "z", count: 240),
    ])
    func examplesRoundTrip(path: String) {
        let name = encodeStreamPath(path)
        expectSafeFileName(name, for: path)
        #expect(!isHashedStreamName(name))
        #expect(roundTrips(path), "\(path.debugDescription) -> \(name)")
    }

    @Test func readableWherePossible() {
        #expect(encodeStreamPath("orders-2024_q1") == "orders-2024_q1")
        #expect(encodeStreamPath("orders/2024") == "orders%2F2024")
        #expect(encodeStreamPath("events.json") == "events.json")
        #expect(encodeStreamPath("a b~c%d") == "a%20b%7Ec%25d")
        #expect(encodeStreamPath("é") == "%C3%A9")
        #expect(encodeStreamPath("") == "%")
    }

    @Test func canonicallyEquivalentSpellingsStayDistinct() {
        let precomposed = "\u{E9}"
        let decomposed = "e\u{301}"
        #expect(precomposed == decomposed)
        #expect(encodeStreamPath(precomposed) != encodeStreamPath(decomposed))
        #expect(roundTrips(precomposed) && roundTrips(decomposed))
    }

    @Test func randomUnicodePathsKeepTheirPromises() {
        let seed = ProcessInfo.processInfo.environment["DS_PROPERTY_SEED"].flatMap { UInt64($0) }
            ?? UInt64.random(in: .min ... .max)
        print("RoundTripTests.randomUnicodePathsKeepTheirPromises seed: \(seed) (set DS_PROPERTY_SEED to replay)")
        var generator = SeededGenerator(seed: seed)
        var names: [String: String] = [:]
        var hashedCount = 0
        for _ in 0..<5_000 {
            let path = randomPath(using: &generator)
            let name = encodeStreamPath(path)
            expectSafeFileName(name, for: path)
            #expect(encodeStreamPath(path) == name, "not deterministic; seed \(seed)")
            if isHashedStreamName(name) {
                hashedCount += 1
                #expect(decodeStreamPath(name) == nil, "seed \(seed)")
            } else {
                #expect(roundTrips(path), "\(path.debugDescription) -> \(name); seed \(seed)")
            }
            let key = String(decoding: Array(path.utf8), as: UTF8.self)
            if let earlier = names[name] {
                #expect(Array(earlier.utf8) == Array(path.utf8), "collision on \(name); seed \(seed)")
            } else {
                names[name] = key
            }
        }
        #expect(hashedCount > 0, "the generator should also produce long paths; seed \(seed)")
    }

    /// A path of 0...120 scalars drawn from ASCII (with its troublemakers), controls,
    /// Latin-1, the rest of the BMP and the astral planes.
    private func randomPath(using generator: inout SeededGenerator) -> String {
        let length = Int.random(in: 0...120, using: &generator)
        var scalars = String.UnicodeScalarView()
        for _ in 0..<length {
            scalars.append(randomScalar(using: &generator))
        }
        return String(scalars)
    }

    private func randomScalar(using generator: inout SeededGenerator) -> Unicode.Scalar {
        let tricky: [Unicode.Scalar] = ["/", ".", "%", "~", "\0", " ", "\\", ":", "-", "_"]
        while true {
            let value: UInt32
            switch Int.random(in: 0..<6, using: &generator) {
            case 0: return tricky.randomElement(using: &generator)!
            case 1: value = UInt32.random(in: 0x20...0x7E, using: &generator)
            case 2: value = UInt32.random(in: 0x00...0x1F, using: &generator)
            case 3: value = UInt32.random(in: 0x80...0xFF, using: &generator)
            case 4: value = UInt32.random(in: 0x100...0xFFFF, using: &generator)
            default: value = UInt32.random(in: 0x10000...0x10FFFF, using: &generator)
            }
            if let scalar = Unicode.Scalar(value) { return scalar }  // skips surrogates
        }
    }
}
