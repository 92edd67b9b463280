import NIOCore
import NIOPosix

/// Sends raw bytes over a fresh TCP connection and returns everything the server sends back until it closes
/// the connection or `timeout` passes — for malformed requests no HTTP client would produce.
public enum RawHTTP {
    /// Sends `request` to `127.0.0.1:port` and collects the reply. The timeout only bounds a hang (no test expects
    /// it to pass), so it is as generous as the other test clients': on two loaded cores a reply can stall for seconds.
    public static func exchange(port: Int, request: [UInt8], timeout: TimeAmount = .seconds(30)) async throws -> String {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(bytes: request))
            return try await withThrowingTaskGroup(of: String?.self) { group in
                group.addTask {
                    var reply = ""
                    do {
                        for try await chunk in inbound { reply += String(buffer: chunk) }
                    } catch {
                        // A reset after the reply still leaves what was read.
                    }
                    return reply
                }
                group.addTask {
                    try await Task.sleep(nanoseconds: UInt64(timeout.nanoseconds))
                    return nil
                }
                let first = try await group.next()!
                group.cancelAll()
                guard let reply = first else { throw TestFailure("no close from the server within \(timeout)") }
                return reply
            }
        }
    }
}
