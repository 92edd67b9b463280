@testable import DSServer
import NIOCore
import NIOEmbedded
import Testing

/// The per-event-loop FIFO of long-poll timeouts, driven by an embedded event loop's virtual clock.
struct LongPollTimeoutsTests {
    @Test func timeoutsFireInOrderOnceTheirTimeHasPassed() {
        let loop = EmbeddedEventLoop()
        let timeouts = LongPollTimeouts(timeout: .seconds(30))
        var fired: [Int] = []
        _ = timeouts.add(on: loop) { fired.append(1) }
        loop.advanceTime(by: .seconds(10))
        _ = timeouts.add(on: loop) { fired.append(2) }
        loop.advanceTime(by: .seconds(20) - .nanoseconds(1))
        #expect(fired.isEmpty)
        loop.advanceTime(by: .nanoseconds(1))
        #expect(fired == [1])
        loop.advanceTime(by: .seconds(10))
        #expect(fired == [1, 2])
        #expect(timeouts.queuedCount(on: loop) == 0)
    }

    @Test func cancelledTimeoutsNeverFire() {
        let loop = EmbeddedEventLoop()
        let timeouts = LongPollTimeouts(timeout: .seconds(1))
        var fired: [Int] = []
        let first = timeouts.add(on: loop) { fired.append(1) }
        let second = timeouts.add(on: loop) { fired.append(2) }
        _ = timeouts.add(on: loop) { fired.append(3) }
        second.cancel()
        first.cancel()
        first.cancel()
        // Cancelled entries at the head leave at once.
        #expect(timeouts.queuedCount(on: loop) == 1)
        loop.advanceTime(by: .seconds(1))
        #expect(fired == [3])
        // Cancelling after firing does nothing.
        second.cancel()
        #expect(timeouts.queuedCount(on: loop) == 0)
    }

    @Test func cancelledEntriesBehindALiveOneAreCompacted() {
        let loop = EmbeddedEventLoop()
        let timeouts = LongPollTimeouts(timeout: .seconds(30))
        var fired = 0
        _ = timeouts.add(on: loop) { fired += 1 }  // stays at the head
        for _ in 0..<1000 {
            let deadline = timeouts.add(on: loop) { Issue.record("a cancelled timeout fired") }
            deadline.cancel()
        }
        #expect(timeouts.queuedCount(on: loop) < 200)
        loop.advanceTime(by: .seconds(30))
        #expect(fired == 1)
        #expect(timeouts.queuedCount(on: loop) == 0)
    }

    @Test func aTimeoutMayAddAnotherAndBothFire() {
        let loop = EmbeddedEventLoop()
        let timeouts = LongPollTimeouts(timeout: .seconds(5))
        var fired: [String] = []
        _ = timeouts.add(on: loop) {
            fired.append("first")
            _ = timeouts.add(on: loop) { fired.append("added while firing") }
        }
        loop.advanceTime(by: .seconds(5))
        #expect(fired == ["first"])
        loop.advanceTime(by: .seconds(5))
        #expect(fired == ["first", "added while firing"])
    }

    @Test func eachEventLoopHasItsOwnQueue() {
        let one = EmbeddedEventLoop()
        let two = EmbeddedEventLoop()
        let timeouts = LongPollTimeouts(timeout: .seconds(1))
        var fired: [String] = []
        _ = timeouts.add(on: one) { fired.append("one") }
        _ = timeouts.add(on: two) { fired.append("two") }
        two.advanceTime(by: .seconds(1))
        #expect(fired == ["two"])
        #expect(timeouts.queuedCount(on: one) == 1)
        one.advanceTime(by: .seconds(1))
        #expect(fired == ["two", "one"])
    }
}
