import DSTestSupport
import Synchronization

/// Runs `body`, failing with ``TestFailure`` when it has not finished within `seconds`. On timeout the body
/// is cancelled and abandoned, so even code that ignores cancellation cannot hang the test run.
@discardableResult
func withTimeout<T: Sendable>(
    _ seconds: Double = 60,
    _ what: String = "operation",
    _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    let outcome = OnceResult<T>()
    return try await withCheckedThrowingContinuation { continuation in
        outcome.install(continuation)
        let work = Task {
            do {
                outcome.resume(.success(try await body()))
            } catch {
                outcome.resume(.failure(error))
            }
        }
        Task {
            try? await Task.sleep(for: .seconds(seconds))
            work.cancel()
            outcome.resume(.failure(TestFailure("\(what) did not finish within \(seconds) s")))
        }
    }
}

/// A continuation resumed by whichever of the work and the timer finishes first.
private final class OnceResult<T: Sendable>: Sendable {
    private let state = Mutex<(CheckedContinuation<T, any Error>?, Bool)>((nil, false))

    func install(_ continuation: CheckedContinuation<T, any Error>) {
        state.withLock { $0.0 = continuation }
    }

    func resume(_ result: Result<T, any Error>) {
        let continuation = state.withLock { state -> CheckedContinuation<T, any Error>? in
            guard !state.1 else { return nil }
            state.1 = true
            return state.0
        }
        continuation?.resume(with: result)
    }
}
