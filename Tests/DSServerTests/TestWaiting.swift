import DSTestSupport

/// Polls `condition` every 5 ms until it holds or `seconds` pass; returns whether it held. The default is
/// generous because the whole suite runs in parallel on two cores, where a request can stall for seconds.
func eventually(within seconds: Double = 30, _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(nanoseconds: 5_000_000)
    }
    return try await condition()
}
