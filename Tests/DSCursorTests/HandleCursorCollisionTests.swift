import DSCursor
import Testing

struct HandleCursorCollisionTests {
    @Test func noPreviousCursorKeepsTheCurrentOne() {
        var generator = SeededGenerator(seed: 1)
        #expect(handleCursorCollision(currentCursor: "1000", previousCursor: nil, using: &generator) == "1000")
    }

    @Test func olderPreviousCursorKeepsTheCurrentOne() {
        var generator = SeededGenerator(seed: 2)
        #expect(handleCursorCollision(currentCursor: "1000", previousCursor: "999", using: &generator) == "1000")
        #expect(handleCursorCollision(currentCursor: "1000", previousCursor: "0", using: &generator) == "1000")
    }

    @Test(arguments: ["1000", "1001", "5000"])
    func caughtUpPreviousCursorIsAdvancedPastItself(previous: String) {
        var generator = SeededGenerator(seed: 3)
        for _ in 0..<500 {
            let result = handleCursorCollision(currentCursor: "1000", previousCursor: previous, using: &generator)
            let step = Int(result)! - Int(previous)!
            #expect((1...180).contains(step), "step \(step) outside 1...ceil(3600/20)")
        }
    }

    @Test(arguments: ["", "abc", "-5", "+1000", "1000 ", "1e9", String(repeating: "9", count: 19)])
    func garbagePreviousCursorIsIgnored(previous: String) {
        var generator = SeededGenerator(seed: 4)
        #expect(handleCursorCollision(currentCursor: "1000", previousCursor: previous, using: &generator) == "1000")
    }

    @Test func garbageCurrentCursorCountsAsIntervalZero() {
        var generator = SeededGenerator(seed: 5)
        let result = handleCursorCollision(currentCursor: "x", previousCursor: "0", using: &generator)
        #expect(Int(result)! > 0)
    }

    @Test func systemGeneratorOverloadAdvances() {
        let result = handleCursorCollision(currentCursor: "10", previousCursor: "10")
        #expect((11...190).contains(Int(result)!))
        #expect(handleCursorCollision(currentCursor: "10", previousCursor: "9") == "10")
    }
}
