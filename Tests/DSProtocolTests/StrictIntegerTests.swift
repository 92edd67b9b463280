import DSProtocol
import Testing

struct StrictIntegerTests {
    @Test(arguments: [
        ("0", 0), ("1", 1), ("7", 7), ("10", 10), ("3600", 3600), ("1000000", 1_000_000),
        ("9007199254740991", 9_007_199_254_740_991),
    ] as [(String, Int64)])
    func parsesPlainDecimal(text: String, expected: Int64) {
        #expect(StrictInteger.parseNonNegative(text, max: StrictInteger.maxSafeJavaScriptInteger) == expected)
    }

    @Test(arguments: [
        "", " ", "+3600", "-1", "-0", "03600", "00", "0 ", " 0", "3600.0", "3.6e3", "1e3", "0x10", "1_000",
        " 3600", "3600 ", "36 00", "\t1", "1\n", "١٢", "１", "abc", "12a", "a12", "NaN", "∞",
    ])
    func rejectsAnythingButPlainDecimal(text: String) {
        #expect(StrictInteger.parseNonNegative(text, max: .max) == nil)
    }

    @Test func enforcesTheMaximum() {
        #expect(StrictInteger.parseNonNegative("100", max: 100) == 100)
        #expect(StrictInteger.parseNonNegative("101", max: 100) == nil)
        #expect(StrictInteger.parseNonNegative("9", max: 5) == nil)
        #expect(StrictInteger.parseNonNegative("5", max: 5) == 5)
        #expect(StrictInteger.parseNonNegative("0", max: 0) == 0)
        #expect(StrictInteger.parseNonNegative("1", max: 0) == nil)
        #expect(StrictInteger.parseNonNegative("0", max: -1) == nil)
        #expect(StrictInteger.parseNonNegative("1", max: .min) == nil)
        #expect(StrictInteger.parseNonNegative("9007199254740992", max: StrictInteger.maxSafeJavaScriptInteger) == nil)
    }

    @Test func neverOverflows() {
        #expect(StrictInteger.parseNonNegative("9223372036854775807", max: .max) == .max)
        #expect(StrictInteger.parseNonNegative("9223372036854775808", max: .max) == nil)
        #expect(StrictInteger.parseNonNegative("9223372036854775806", max: Int64.max - 1) == Int64.max - 1)
        #expect(StrictInteger.parseNonNegative("9223372036854775807", max: Int64.max - 1) == nil)
        #expect(StrictInteger.parseNonNegative("99999999999999999999", max: .max) == nil)
        #expect(StrictInteger.parseNonNegative(String(repeating: "9", count: 10_000), max: .max) == nil)
        #expect(StrictInteger.parseNonNegative("1" + String(repeating: "0", count: 100), max: .max) == nil)
    }

    @Test func acceptsSubstrings() {
        let header = "Producer-Seq: 42"
        let value = header.split(separator: " ")[1]
        #expect(StrictInteger.parseNonNegative(value, max: 100) == 42)
    }

    @Test func everySmallNumberRoundTrips() {
        for value in Int64(0)...20_000 {
            #expect(StrictInteger.parseNonNegative(String(value), max: 20_000) == value)
        }
    }
}
