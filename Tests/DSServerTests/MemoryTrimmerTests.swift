@testable import DSServer
import Testing

/// The trim after a burst of live readers: once per large burst, only when it is over.
struct MemoryTrimmerTests {
    final class Counter: @unchecked Sendable {
        var trims = 0
    }

    @Test func trimsOnceWhenALargeBurstEnds() {
        let counter = Counter()
        var trimmer = MemoryTrimmer { counter.trims += 1 }
        for readers in [0, 500, 2000, 4000, 3000, 1500] { trimmer.observe(liveReaders: readers) }
        #expect(counter.trims == 0, "still above a quarter of the 4,000 peak")
        trimmer.observe(liveReaders: 1000)
        #expect(counter.trims == 1)
        trimmer.observe(liveReaders: 800)
        #expect(counter.trims == 1)
        // The 1,000 left were a burst of their own; once they go, that is one more trim, and no more after.
        for readers in [10, 0, 0] { trimmer.observe(liveReaders: readers) }
        #expect(counter.trims == 2)
    }

    @Test func smallBurstsAreNotWorthATrim() {
        let counter = Counter()
        var trimmer = MemoryTrimmer { counter.trims += 1 }
        for readers in [0, 999, 0, 999, 0] { trimmer.observe(liveReaders: readers) }
        #expect(counter.trims == 0)
    }

    @Test func theRealTrimRuns() {
        // glibc's malloc_trim is found and called without crashing (a no-op where it does not exist).
        MemoryTrimmer.releaseFreeHeapPages()
    }
}
