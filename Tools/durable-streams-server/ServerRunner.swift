import DSServer
import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Starts a server, prints its URL, and stops it gracefully on SIGINT or SIGTERM.
enum ServerRunner {
    static func run(_ options: ServerOptions, storeDescription: String) async throws {
        let server = DurableStreamServer(options: options)
        try await server.start()
        print("durable-streams-server listening on \(server.streamRootURL) (\(storeDescription))")
        fflush(nil)  // flush stdout even when it is a pipe
        await waitForTerminationSignal()
        try await server.stop()
    }

    /// Suspends until SIGINT or SIGTERM arrives.
    private static func waitForTerminationSignal() async {
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        let (signals, continuation) = AsyncStream.makeStream(of: Int32.self)
        let sources = [SIGINT, SIGTERM].map { number -> any DispatchSourceSignal in
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            return source
        }
        for await _ in signals { break }
        for source in sources { source.cancel() }
    }
}
