extension ConformanceContext {
    /// Creates a stream with `Stream-TTL: window`, touches it every 500 ms for more than three windows' worth of
    /// touches (`touch` gets the stream and the touch's index and must answer `status`), and returns the stream.
    ///
    /// A lapse only proves the server wrong when the suite itself touched the stream in time. When the client
    /// machine stalls so long that the gap between two touches may have reached the window, the attempt proves
    /// nothing either way; it is repeated on a fresh stream, and the case fails if every attempt stalls.
    func expectTouchesKeepTTLAlive(
        window: Int,
        status: Int,
        what: String,
        touch: (String, Int) async throws -> HTTPReply
    ) async throws -> String {
        let clock = ContinuousClock()
        let windowDuration = Duration.seconds(window)
        var stalls: [Duration] = []
        for _ in 0..<3 {
            var previousSent = clock.now
            let name = try await newStream(headers: [(H.ttl, String(window))])
            var inconclusive = false
            for index in 0..<(window * 3) {
                let sent = clock.now
                let reply = try await touch(name, index)
                // The server handled the previous touch after `previousSent` and this one before now, so the real
                // gap between them is at most this long.
                let widestGap = clock.now - previousSent
                if reply.status != status {
                    guard widestGap < windowDuration else {
                        stalls.append(widestGap)
                        inconclusive = true
                        break
                    }
                    _ = try reply.expectStatus(
                        status, because: "\(what) #\(index), at most \(widestGap) after the previous one, inside the \(window) s window"
                    )
                }
                previousSent = sent
                try await Task.sleep(for: .milliseconds(500))
            }
            if !inconclusive { return name }
        }
        throw ConformanceFailure("the suite stalled past the \(window) s window on every attempt (gaps: \(stalls)); rerun on a less loaded machine")
    }
}
