@testable import DSServer
import DSTestSupport
import Logging
import NIOCore
import Testing

/// The drain's deadline: when an in-flight request cannot finish (here, a client that stops reading a large
/// response), `stop()` waits for the grace period, then closes the connection, logs what it gave up on,
/// and completes.
struct ShutdownDeadlineTests {
    /// Fails when `operation` has not finished within `seconds` (a bound for a hang, not a timing check).
    private func finishing<T: Sendable>(within seconds: Int64, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await operation() }
            group.addTask {
                try await Task.sleep(nanoseconds: UInt64(seconds) * 1_000_000_000)
                return nil
            }
            defer { group.cancelAll() }
            guard let result = try await group.next(), let value = result else {
                throw TestFailure("did not finish within \(seconds) s")
            }
            return value
        }
    }

    @Test func aDrainThatOutlastsTheDeadlineClosesTheConnectionAndStops() async throws {
        let logs = LogCapture()
        let size = 16 << 20
        let server = try await TestServer.start(configure: {
            $0.readChunkBytes = 64 << 20
            $0.compression = nil
            $0.logger = logs.logger(label: "durable-streams.server")
        })
        let path = uniquePath()
        try await server.createStream(path, contentType: "application/octet-stream", body: String(repeating: "x", count: size))

        // The client's tiny receive window and the server's bounded socket buffer hold far less than the
        // response, and the client reads only the head: the response's last byte can never be written.
        let socket = try RawSocket(port: server.port, receiveBufferBytes: 4096)
        try socket.send("GET \(server.urlPath(path))?offset=-1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        #expect(try await socket.receive(timeoutMilliseconds: 60_000).hasPrefix("HTTP/1.1 200"))
        #expect(await eventually { server.server.inFlightRequestCount == 1 })

        let grace = Duration.seconds(1)
        let started = ContinuousClock.now
        try await finishing(within: 120) { try await server.server.stop(gracePeriod: .seconds(1)) }
        // It waited for the request until the deadline, not less, then gave up on it.
        #expect(ContinuousClock.now - started >= grace)
        let warning = logs.records.first { $0.level == .warning && $0.message.contains("deadline") }
        #expect(warning?.metadata["requests"] == "1")

        // The connection was closed under the client, mid-response.
        let (bytes, closed) = try await runBlocking { socket.drainUntilClosed() }
        #expect(closed)
        #expect(bytes < size)
        #expect(await eventually { server.server.inFlightRequestCount == 0 })
    }
}
