import DSCursor
import Foundation
import Testing

struct CursorDefaultsTests {
    @Test func epochIsOctoberNinth2024Utc() {
        #expect(CursorDefaults.epoch.timeIntervalSince1970 == 1_728_432_000)
        #expect(CursorDefaults.epoch == ISO8601DateFormatter().date(from: "2024-10-09T00:00:00Z"))
    }

    @Test func intervalIsTwentySeconds() {
        #expect(CursorDefaults.intervalSeconds == 20)
    }

    @Test func jitterIsOneToThreeThousandSixHundredSeconds() {
        #expect(CursorDefaults.jitterSeconds == 1...3600)
    }

    @Test func optionsDefaultToTheDocumentedValues() {
        let options = CursorOptions()
        #expect(options.epoch == CursorDefaults.epoch)
        #expect(options.intervalSeconds == CursorDefaults.intervalSeconds)
        #expect(options == CursorOptions(epoch: CursorDefaults.epoch, intervalSeconds: 20))
    }
}
