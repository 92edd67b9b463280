import NIOCore
import NIOPosix

/// Opens keep-alive client connections to the target, each driven by a ``ClientHandler``.
struct Connector: Sendable {
    let target: BenchTarget

    /// Connects one channel on `eventLoop`.
    func connect(on eventLoop: any EventLoop) -> EventLoopFuture<any Channel> {
        ClientBootstrap(group: eventLoop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelOption(.recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 1024, initial: 16 * 1024, maximum: 1024 * 1024))
            .connectTimeout(.seconds(10))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ClientHandler())
                }
            }
            .connect(host: target.host, port: target.port)
    }

    /// Connects `count` channels spread round-robin over `loops`, at most `parallel` handshakes at a time
    /// (so a listen backlog of a few hundred is never overrun).
    func connect(count: Int, loops: [any EventLoop], parallel: Int = 128) async throws -> [BenchConnection] {
        var connections: [BenchConnection] = []
        connections.reserveCapacity(count)
        var index = 0
        while index < count {
            let batch = (index..<min(count, index + parallel)).map { i in
                connect(on: loops[i % loops.count])
            }
            for future in batch {
                do {
                    connections.append(BenchConnection(channel: try await future.get()))
                } catch {
                    for connection in connections { connection.close() }
                    throw BenchError.connectionFailed("\(target.host):\(target.port): \(error)")
                }
            }
            index += batch.count
        }
        return connections
    }
}

/// A connected benchmark channel.
struct BenchConnection: Sendable {
    let channel: any Channel

    var eventLoop: any EventLoop { channel.eventLoop }

    /// Runs `body` on the channel's event loop with its ``ClientHandler``.
    func withHandler<T: Sendable>(_ body: @escaping @Sendable (ClientHandler) -> T) -> EventLoopFuture<T> {
        channel.eventLoop.submit {
            body(try channel.pipeline.syncOperations.handler(type: ClientHandler.self))
        }
    }

    func close() { channel.close(promise: nil) }
}
