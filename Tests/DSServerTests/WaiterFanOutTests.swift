import DSStore
import NIOCore
import NIOPosix
import Synchronization
import Testing

/// Waking a stream's waiters: those of the waking thread's own event loop at once, the others through one task
/// per event loop (WaiterList's `fire`), every one of them exactly once with the change.
struct WaiterFanOutTests {
    @Test func everyWaiterOnEveryLoopIsWokenOnceWithTheChange() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 3)
        let loops = (0..<3).map { _ in group.next() }
        let promises = (0..<60).map { index in loops[index % 3].makePromise(of: StreamChange.self) }
        let woken = Mutex<[Int]>([])
        for (index, promise) in promises.enumerated() {
            promise.futureResult.whenSuccess { change in
                #expect(change == .closed)
                #expect(promise.futureResult.eventLoop.inEventLoop)
                woken.withLock { $0.append(index) }
            }
        }
        // From inside the first loop: its own waiters are woken before fire returns.
        let ownWokenAtReturn = try await loops[0].submit { () -> Bool in
            promises.map { PromiseWaiter($0) as any StreamWaiter }.fire(.closed)
            let now = Set(woken.withLock { $0 })
            return (0..<60).filter { $0 % 3 == 0 }.allSatisfy(now.contains)
        }.get()
        #expect(ownWokenAtReturn)
        for promise in promises { #expect(try await promise.futureResult.get() == .closed) }
        #expect(woken.withLock { $0.sorted() } == Array(0..<60))

        // From a thread outside every loop, and a single waiter.
        let more = (0..<9).map { index in loops[index % 3].makePromise(of: StreamChange.self) }
        more.map { PromiseWaiter($0) as any StreamWaiter }.fire(.dataAvailable)
        for promise in more { #expect(try await promise.futureResult.get() == .dataAvailable) }
        let single = [loops[1].makePromise(of: StreamChange.self)]
        single.map { PromiseWaiter($0) as any StreamWaiter }.fire(.deleted)
        #expect(try await single[0].futureResult.get() == .deleted)
        try await group.shutdownGracefully()
    }
}
