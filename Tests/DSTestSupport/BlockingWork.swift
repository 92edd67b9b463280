import Foundation

/// Runs blocking `work` (waiting on a child process, a blocking socket) on a thread of its own, so it never
/// holds one of the few threads of Swift's cooperative pool while the rest of the parallel test run needs them.
public func runBlocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            continuation.resume(with: Result { try work() })
        }
        thread.start()
    }
}
