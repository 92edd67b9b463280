import DSTestSupport

/// Runs `body`, failing with ``TestFailure`` (and cancelling it) when it has not finished within `seconds`.
@discardableResult
func withTimeout<T: Sendable>(
    _ seconds: Double = 20,
    _ what: String = "operation",
    _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else {
            throw TestFailure("\(what) did not finish within \(seconds) s")
        }
        return value
    }
}
