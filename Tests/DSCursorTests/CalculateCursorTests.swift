import DSCursor
import Foundation
import Testing

struct CalculateCursorTests {
    private let epoch = CursorDefaults.epoch

    @Test(arguments: [
        (0.0, "0"),
        (0.001, "0"),
        (19.999, "0"),
        (20.0, "1"),
        (39.999, "1"),
        (40.0, "2"),
        (20_000.0, "1000"),
        (20_019.5, "1000"),
    ])
    func intervalBoundaries(secondsAfterEpoch: Double, expected: String) {
        let now = epoch.addingTimeInterval(secondsAfterEpoch)
        #expect(calculateCursor(now: now) == expected)
    }

    @Test func customIntervalAndEpoch() {
        let options = CursorOptions(epoch: Date(timeIntervalSince1970: 1000), intervalSeconds: 7)
        #expect(calculateCursor(options: options, now: Date(timeIntervalSince1970: 1000)) == "0")
        #expect(calculateCursor(options: options, now: Date(timeIntervalSince1970: 1006.9)) == "0")
        #expect(calculateCursor(options: options, now: Date(timeIntervalSince1970: 1007)) == "1")
        #expect(calculateCursor(options: options, now: Date(timeIntervalSince1970: 1070)) == "10")
    }

    @Test func knownWallClockValue() {
        // 2025-01-01T00:00:00Z is 7 257 600 s after the epoch: 362 880 intervals.
        let now = Date(timeIntervalSince1970: 1_735_689_600)
        #expect(calculateCursor(now: now) == "362880")
    }

    @Test func timesBeforeTheEpochGiveZero() {
        #expect(calculateCursor(now: epoch.addingTimeInterval(-0.5)) == "0")
        #expect(calculateCursor(now: Date(timeIntervalSince1970: 0)) == "0")
        #expect(calculateCursor(now: .distantPast) == "0")
    }

    @Test func nonPositiveIntervalIsTreatedAsOneSecond() {
        let now = epoch.addingTimeInterval(42.5)
        #expect(calculateCursor(options: CursorOptions(intervalSeconds: 0), now: now) == "42")
        #expect(calculateCursor(options: CursorOptions(intervalSeconds: -20), now: now) == "42")
    }

    @Test func farFutureIsClampedToAnAcceptedValue() {
        let options = CursorOptions(epoch: .distantPast, intervalSeconds: 1)
        let cursor = calculateCursor(options: options, now: .distantFuture)
        #expect(Int(cursor) != nil)
        #expect(cursor.utf8.count <= 18)
    }

    @Test func cursorNeverDecreasesAsTimeAdvances() {
        var previous = -1
        for step in 0..<2_000 {
            let now = epoch.addingTimeInterval(Double(step) * 0.75)
            let cursor = Int(calculateCursor(now: now))!
            #expect(cursor >= previous)
            previous = cursor
        }
    }

    @Test func defaultNowIsTheWallClock() {
        let before = Int(calculateCursor(now: Date()))!
        let cursor = Int(calculateCursor())!
        let after = Int(calculateCursor(now: Date()))!
        #expect(before <= cursor && cursor <= after)
    }
}
