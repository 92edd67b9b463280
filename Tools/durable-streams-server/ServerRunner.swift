import DSServer
import Dispatch
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Starts a server, prints its URL, and on SIGINT or SIGTERM drains it: readiness fails, the listener
/// closes, waiting reads are answered, in-flight requests finish within the shutdown timeout, and the
/// store is closed. A second signal during the drain exits at once. Log lines are written by a background
/// thread (`LogOutput`), so every way out flushes them first.
enum ServerRunner {
    static func run(_ options: ServerOptions, storeDescription: String) async throws {
        let server = DurableStreamServer(options: options)
        let signals = TerminationSignals()
        try await server.start()
        print("durable-streams-server listening on \(server.streamRootURL) (\(storeDescription))")
        fflush(nil)  // flush stdout even when it is a pipe
        options.logger.info(
            "listening",
            metadata: [
                "url": "\(server.streamRootURL)",
                "store": "\(storeDescription)",
                "tls": "\(options.tls != nil)",
                "auth": "\(options.authorizer != nil)",
                "rate_limits": "\(options.rateLimits != nil)",
            ]
        )
        let received = await TerminationSignals.next(signals.stream)
        options.logger.info(
            "draining",
            metadata: ["signal": "\(received)", "timeout_s": "\(Double(options.shutdownTimeout.nanoseconds) / 1e9)"]
        )
        let forced = Task { [stream = signals.stream] in
            let again = await TerminationSignals.next(stream)
            guard !Task.isCancelled, again != 0 else { return }  // the drain finished first
            options.logger.warning("second signal: exiting without finishing the drain", metadata: ["signal": "\(again)"])
            LogOutput.standardError.flush()
            exit(1)
        }
        try await server.stop()
        forced.cancel()
        withExtendedLifetime(signals.sources) {}
        options.logger.info("stopped")
        LogOutput.standardError.flush()
    }
}

/// SIGINT and SIGTERM, delivered as their numbers.
private struct TerminationSignals {
    let stream: AsyncStream<Int32>
    /// The dispatch sources; they must stay alive for signals to arrive.
    let sources: [any DispatchSourceSignal]

    init() {
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        let (stream, continuation) = AsyncStream.makeStream(of: Int32.self)
        self.stream = stream
        sources = [SIGINT, SIGTERM].map { number in
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            return source
        }
    }

    /// The next signal from `stream` (suspends until one arrives; 0 if the stream ends).
    static func next(_ stream: AsyncStream<Int32>) async -> Int32 {
        var iterator = stream.makeAsyncIterator()
        return await iterator.next() ?? 0
    }
}
