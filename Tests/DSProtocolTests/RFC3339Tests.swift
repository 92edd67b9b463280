import DSProtocol
import Foundation
import Testing

struct RFC3339Tests {
    @Test(arguments: [
        ("1970-01-01T00:00:00Z", 0),
        ("1970-01-01T00:00:00.001Z", 1),
        ("1969-12-31T23:59:59.999Z", -1),
        ("1969-12-31T23:59:59Z", -1000),
        ("2025-01-02T03:04:05.678Z", 1_735_787_045_678),
        ("2025-01-02t03:04:05.678z", 1_735_787_045_678),
        ("2000-02-29T12:00:00Z", 951_825_600_000),
        ("2024-02-29T00:00:00Z", 1_709_164_800_000),
        ("2038-01-19T03:14:08Z", 2_147_483_648_000),
        ("0000-01-01T00:00:00Z", -62_167_219_200_000),
        ("9999-12-31T23:59:59.999Z", 253_402_300_799_999),
        ("1600-03-01T00:00:00Z", -11_670_912_000_000),
    ] as [(String, Int64)])
    func parsesUTCTimestamps(text: String, expected: Int64) {
        #expect(RFC3339.parseMilliseconds(text) == expected)
    }

    @Test func appliesOffsets() {
        let utc = RFC3339.parseMilliseconds("2025-01-01T00:00:00Z")
        #expect(RFC3339.parseMilliseconds("2025-01-01T01:00:00+01:00") == utc)
        #expect(RFC3339.parseMilliseconds("2024-12-31T19:30:00-04:30") == utc)
        #expect(RFC3339.parseMilliseconds("2025-01-01T00:00:00+00:00") == utc)
        #expect(RFC3339.parseMilliseconds("2025-01-01T00:00:00-00:00") == utc)
        #expect(RFC3339.parseMilliseconds("2025-01-01T23:59:00+23:59") == utc)
        #expect(RFC3339.parseMilliseconds("2024-12-31T00:01:00-23:59") == utc)
    }

    @Test func truncatesFractionsToMilliseconds() {
        #expect(RFC3339.parseMilliseconds("1970-01-01T00:00:00.5Z") == 500)
        #expect(RFC3339.parseMilliseconds("1970-01-01T00:00:00.05Z") == 50)
        #expect(RFC3339.parseMilliseconds("1970-01-01T00:00:00.123Z") == 123)
        #expect(RFC3339.parseMilliseconds("1970-01-01T00:00:00.123999999999999999999Z") == 123)
        #expect(RFC3339.parseMilliseconds("1970-01-01T00:00:00.000000001+00:00") == 0)
        #expect(RFC3339.parseMilliseconds("1969-12-31T23:59:59.9999Z") == -1)
    }

    @Test func leapSecondCountsAsFiftyNine() {
        #expect(
            RFC3339.parseMilliseconds("2016-12-31T23:59:60Z") == RFC3339.parseMilliseconds("2016-12-31T23:59:59Z"))
        #expect(RFC3339.parseMilliseconds("2016-12-31T23:59:60.250Z") == 1_483_228_799_250)
    }

    @Test func acceptsSubstrings() {
        let header = "x2025-01-02T03:04:05.678Zx"
        let inner = header.dropFirst().dropLast()
        #expect(RFC3339.parseMilliseconds(inner) == 1_735_787_045_678)
    }

    @Test(arguments: [
        "", "2025", "2025-01-02", "2025-01-02T03:04:05", "2025-01-02 03:04:05Z", "2025-01-02T03:04Z",
        "2025-01-02T03:04:05.Z", "2025-01-02T03:04:05.678", "2025-01-02T03:04:05+0100", "2025-01-02T03:04:05+01",
        "2025-01-02T03:04:05+01:0", "2025-01-02T03:04:05+1:00", "2025-01-02T03:04:05+24:00", "2025-01-02T03:04:05+01:60",
        "2025-01-02T03:04:05UTC", "2025-01-02T03:04:05ZZ", "2025-01-02T03:04:05Z ", " 2025-01-02T03:04:05Z",
        "25-01-02T03:04:05Z", "20250-01-02T03:04:05Z", "2025-1-02T03:04:05Z", "2025-01-2T03:04:05Z",
        "2025/01/02T03:04:05Z", "2025-01-02X03:04:05Z", "2025-01-02T03-04-05Z", "+2025-01-02T03:04:05Z",
        "2025-00-10T00:00:00Z", "2025-13-10T00:00:00Z", "2025-01-00T00:00:00Z", "2025-01-32T00:00:00Z",
        "2025-04-31T00:00:00Z", "2025-06-31T00:00:00Z", "2025-09-31T00:00:00Z", "2025-11-31T00:00:00Z",
        "2025-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2100-02-29T00:00:00Z", "2024-02-30T00:00:00Z",
        "2025-01-02T24:00:00Z", "2025-01-02T23:60:00Z", "2025-01-02T23:59:61Z", "2025-01-02T-1:00:00Z",
        "2025-01-02T03:04:05.6.7Z", "2025-01-02T03:04:05,678Z", "2025-01-02T03:04:05.67aZ", "2025-01-02T0３:04:05Z",
        "2025-01-02T03:04:05.678+01:00Z", "2025-01-02T03:04:05.678-", "2025-01-02T03:04:05.678+",
    ])
    func rejectsNonRFC3339(text: String) {
        #expect(RFC3339.parseMilliseconds(text) == nil)
    }

    @Test(arguments: [
        (0, "1970-01-01T00:00:00.000Z"),
        (1_735_787_045_678, "2025-01-02T03:04:05.678Z"),
        (-1, "1969-12-31T23:59:59.999Z"),
        (-1000, "1969-12-31T23:59:59.000Z"),
        (951_825_600_000, "2000-02-29T12:00:00.000Z"),
        (-62_167_219_200_000, "0000-01-01T00:00:00.000Z"),
        (253_402_300_799_999, "9999-12-31T23:59:59.999Z"),
    ] as [(Int64, String)])
    func formats(milliseconds: Int64, expected: String) {
        #expect(RFC3339.format(milliseconds: milliseconds) == expected)
    }

    @Test func formatClampsToRepresentableYears() {
        #expect(RFC3339.format(milliseconds: .max) == "9999-12-31T23:59:59.999Z")
        #expect(RFC3339.format(milliseconds: .min) == "0000-01-01T00:00:00.000Z")
        #expect(RFC3339.format(milliseconds: 253_402_300_800_000) == "9999-12-31T23:59:59.999Z")
        #expect(RFC3339.format(milliseconds: -62_167_219_200_001) == "0000-01-01T00:00:00.000Z")
    }

    @Test func everyDayRoundTripsAndAgreesWithFoundation() throws {
        // Daily steps from 1600 to 2400 cover every leap-year rule, checked against Foundation's calendar.
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: "UTC"))
        let start = try #require(RFC3339.parseMilliseconds("1600-01-01T00:00:00Z"))
        let end = try #require(RFC3339.parseMilliseconds("2400-12-31T00:00:00Z"))
        var milliseconds = start
        var day = 0
        while milliseconds <= end {
            let instant = milliseconds + Int64(day % 86_400) * 1000 + Int64(day % 1000)
            let text = RFC3339.format(milliseconds: instant)
            #expect(RFC3339.parseMilliseconds(text) == instant, "\(text)")
            let date = Date(timeIntervalSince1970: Double(milliseconds) / 1000)
            let parts = calendar.dateComponents([.year, .month, .day], from: date)
            let expectedPrefix = pad(parts.year!, 4) + "-" + pad(parts.month!, 2) + "-" + pad(parts.day!, 2)
            #expect(text.hasPrefix(expectedPrefix), "\(text) vs \(expectedPrefix)")
            milliseconds += 86_400_000
            day += 1
        }
    }

    @Test func randomInstantsRoundTrip() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let instant = Int64.random(in: -62_167_219_200_000...253_402_300_799_999, using: &generator)
            #expect(RFC3339.parseMilliseconds(RFC3339.format(milliseconds: instant)) == instant)
        }
    }

    private func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
