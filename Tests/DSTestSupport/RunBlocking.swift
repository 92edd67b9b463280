import Foundation

/// Runs blocking work (waiting for a child process, blocking socket reads) on a thread of its own and
/// suspends until it finishes.
///
/// Swift concurrency has as many pool threads as cores — two here — and the whole suite shares them: a test
/// that blocks one in `usleep`, `poll` or `waitUntilExit` halves the throughput of every other test for as
/// long as it waits. Blocking work belongs off the pool.
public func runBlocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
        let thread = Thread { continuation.resume(with: Result { try body() }) }
        thread.name = "test-blocking-work"
        thread.start()
    }
}
