import DSCursor
import Foundation
import Testing

struct GenerateResponseCursorTests {
    /// 1000 intervals after the epoch, with the default 20-second interval.
    private let now = CursorDefaults.epoch.addingTimeInterval(20_005)

    @Test func absentClientCursorGivesTheCurrentInterval() {
        var generator = SeededGenerator(seed: 10)
        #expect(generateResponseCursor(clientCursor: nil, now: now, using: &generator) == "1000")
    }

    @Test func olderClientCursorGivesTheCurrentInterval() {
        var generator = SeededGenerator(seed: 11)
        #expect(generateResponseCursor(clientCursor: "999", now: now, using: &generator) == "1000")
        #expect(generateResponseCursor(clientCursor: "0", now: now, using: &generator) == "1000")
    }

    @Test func responseCursorIsMonotonicAgainstTheClient() {
        var generator = SeededGenerator(seed: 12)
        for client in 900...1_600 {
            let response = Int(generateResponseCursor(clientCursor: String(client), now: now, using: &generator))!
            #expect(response >= client)
            #expect(response >= 1000)
            if client >= 1000 {
                #expect(response > client)
                #expect(response - client <= 180)
            } else {
                #expect(response == 1000)
            }
        }
    }

    @Test func echoingTheCursorBackAlwaysMovesForward() {
        var generator = SeededGenerator(seed: 13)
        var cursor: String? = nil
        var previous = -1
        for _ in 0..<1_000 {
            let next = generateResponseCursor(clientCursor: cursor, now: now, using: &generator)
            #expect(Int(next)! > previous)
            previous = Int(next)!
            cursor = next
        }
    }

    @Test func jitterWithOneSecondIntervalsSpansOneToThirtySixHundred() {
        let options = CursorOptions(intervalSeconds: 1)
        let now = CursorDefaults.epoch.addingTimeInterval(50)
        var generator = SeededGenerator(seed: 14)
        var steps: [Int] = []
        for _ in 0..<20_000 {
            let response = generateResponseCursor(clientCursor: "50", options: options, now: now, using: &generator)
            steps.append(Int(response)! - 50)
        }
        #expect(steps.allSatisfy { (1...3600).contains($0) })
        // Seeded, so these are fixed facts about this run, not timing-dependent odds.
        #expect(steps.min()! <= 5)
        #expect(steps.max()! >= 3595)
    }

    @Test(arguments: [(7, 515), (20, 180), (3600, 1), (7200, 1), (Int.max, 1)])
    func jitterIsConvertedToWholeIntervalsRoundingUp(interval: Int, maxStep: Int) {
        let options = CursorOptions(intervalSeconds: interval)
        let now = CursorDefaults.epoch
        var generator = SeededGenerator(seed: 15)
        var steps: Set<Int> = []
        for _ in 0..<20_000 {
            let response = generateResponseCursor(clientCursor: "3", options: options, now: now, using: &generator)
            steps.insert(Int(response)! - 3)
        }
        #expect(steps.min() == 1)
        #expect(steps.max() == maxStep)
    }

    @Test(arguments: [
        "", " ", "abc", "12a", "-1", "-1000", "+1000", "1000.0", "1e3", "0x10", " 1000", "1000 ",
        "١٠٠٠", // Arabic-Indic digits are not ASCII digits.
        String(repeating: "9", count: 19),
        "9223372036854775807",
        "9223372036854775808",
        "99999999999999999999999999999999",
    ])
    func garbageClientCursorsAreTreatedAsAbsent(client: String) {
        var generator = SeededGenerator(seed: 16)
        #expect(generateResponseCursor(clientCursor: client, now: now, using: &generator) == "1000")
    }

    @Test func hugeClientCursorIsTreatedAsAbsent() {
        var generator = SeededGenerator(seed: 19)
        let huge = String(repeating: "1", count: 100_000)
        #expect(generateResponseCursor(clientCursor: huge, now: now, using: &generator) == "1000")
    }

    @Test func largestAcceptedClientCursorDoesNotOverflow() {
        let largest = String(repeating: "9", count: 18)
        var generator = SeededGenerator(seed: 17)
        let options = CursorOptions(intervalSeconds: 1)
        for _ in 0..<1_000 {
            let response = generateResponseCursor(clientCursor: largest, options: options, now: now, using: &generator)
            #expect(Int(response)! > Int(largest)!)
        }
    }

    @Test func leadingZerosAreReadAsDecimal() {
        var generator = SeededGenerator(seed: 18)
        let response = Int(generateResponseCursor(clientCursor: "0001000", now: now, using: &generator))!
        #expect(response > 1000)
    }

    @Test func systemGeneratorOverloadKeepsTheRules() {
        #expect(generateResponseCursor(clientCursor: nil, now: now) == "1000")
        let response = Int(generateResponseCursor(clientCursor: "1000", now: now))!
        #expect((1001...1180).contains(response))
        #expect(Int(generateResponseCursor(clientCursor: nil)) != nil)
    }
}
