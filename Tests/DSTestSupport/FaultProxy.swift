import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// A TCP proxy on `127.0.0.1:0` in front of a server, for tests that need the network to fail on purpose:
/// it can cut every open connection, drop responses after the server produced them (so the request was
/// applied but the client never learns it), cut each connection after a number of response bytes, and
/// it records the head of every request it forwards.
public final class FaultProxy: Sendable {
    private let targetPort: Int
    private let group: MultiThreadedEventLoopGroup
    private let state = Mutex(State())

    private struct State {
        var connections: [Int: (client: any Channel, upstream: any Channel)] = [:]
        var nextConnection = 0
        var dropBudget = 0
        var droppedResponses = 0
        var responseByteLimit: (@Sendable (Int) -> Int?)?
        var requestHeads: [String] = []
        var cuts = 0
        var listener: (any Channel)?
        var closeWaiters: [(limit: Int, continuation: CheckedContinuation<Void, Never>)] = []
        var holding = false
        var held: [(peer: any Channel, bytes: ByteBuffer)] = []
    }

    /// Starts a proxy forwarding to `127.0.0.1:targetPort`.
    public static func start(targetPort: Int) async throws -> FaultProxy {
        let proxy = FaultProxy(targetPort: targetPort)
        try await proxy.bind()
        return proxy
    }

    private init(targetPort: Int) {
        self.targetPort = targetPort
        self.group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    }

    /// The proxy's port.
    public var port: Int { state.withLock { $0.listener?.localAddress?.port } ?? 0 }

    /// Replaces the host and port of `url` (an `http://127.0.0.1:PORT/...` URL of the target) with the proxy's.
    public func url(_ url: String) -> String {
        url.replacingOccurrences(of: ":\(targetPort)/", with: ":\(port)/")
    }

    /// Closes every open connection at once, in both directions.
    public func cutAll() {
        let connections = state.withLock { Array($0.connections.values) }
        for connection in connections {
            connection.client.close(promise: nil)
            connection.upstream.close(promise: nil)
        }
    }

    /// The next `count` times the server starts answering on any connection, the answer is thrown away and
    /// the connection closed: the server applied the request, the client sees a network failure.
    public func dropNextResponses(_ count: Int) {
        state.withLock { $0.dropBudget += count }
    }

    /// How many responses were dropped so far.
    public var droppedResponses: Int { state.withLock { $0.droppedResponses } }

    /// How many connections were cut by a byte limit so far.
    public var cutConnections: Int { state.withLock { $0.cuts } }

    /// Limits every connection (numbered from 0 in accept order) to the returned number of response bytes,
    /// after which it is closed; `nil` from the closure (or a `nil` closure) means no limit.
    public func limitResponseBytes(_ limit: (@Sendable (Int) -> Int?)?) {
        state.withLock { $0.responseByteLimit = limit }
    }

    /// Holds back every response byte from now on (requests still reach the server) until ``releaseResponses()``.
    public func holdResponses() {
        state.withLock { $0.holding = true }
    }

    /// Delivers the held responses in order and stops holding. Runs on the proxy's single event loop, the one
    /// that forwards, so nothing overtakes the held bytes.
    public func releaseResponses() async throws {
        try await group.next().submit { [self] in
            let held = state.withLock { state in
                state.holding = false
                defer { state.held = [] }
                return state.held
            }
            for (peer, bytes) in held { peer.writeAndFlush(bytes, promise: nil) }
        }.get()
    }

    /// Response bytes are held: keeps them for ``releaseResponses()`` and returns true.
    fileprivate func holdIfHolding(_ bytes: ByteBuffer, for peer: any Channel) -> Bool {
        state.withLock { state in
            guard state.holding else { return false }
            state.held.append((peer, bytes))
            return true
        }
    }

    /// How many proxied connections are open.
    public var openConnections: Int { state.withLock { $0.connections.count } }

    /// Returns once at most `limit` proxied connections are open (for example after a client hung up).
    public func waitForOpenConnections(atMost limit: Int) async {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Bool in
                if state.connections.count <= limit { return true }
                state.closeWaiters.append((limit, continuation))
                return false
            }
            if ready { continuation.resume() }
        }
    }

    /// The heads (request line and headers) of every request forwarded so far, in arrival order per connection.
    public var requestHeads: [String] { state.withLock { $0.requestHeads } }

    /// Stops listening and closes everything.
    public func stop() async throws {
        cutAll()
        let channel = state.withLock { $0.listener }
        try? await channel?.close()
        try await group.shutdownGracefully()
    }

    // MARK: Plumbing

    private func bind() async throws {
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.autoRead, value: false)
            .childChannelInitializer { [self] child in
                child.eventLoop.makeCompletedFuture { self.accept(child) }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        state.withLock { $0.listener = channel }
    }

    private func accept(_ client: any Channel) {
        let number = state.withLock { state in
            defer { state.nextConnection += 1 }
            return state.nextConnection
        }
        let limit = state.withLock { $0.responseByteLimit?(number) }
        ClientBootstrap(group: client.eventLoop)
            .connect(host: "127.0.0.1", port: targetPort)
            .whenComplete { [self] result in
                switch result {
                case .failure:
                    client.close(promise: nil)
                case .success(let upstream):
                    self.state.withLock { $0.connections[number] = (client, upstream) }
                    let shared = ConnectionState()
                    do {
                        try client.pipeline.syncOperations.addHandler(
                            Forwarder(peer: upstream, proxy: self, direction: .request, connection: number, limit: nil, shared: shared)
                        )
                        try upstream.pipeline.syncOperations.addHandler(
                            Forwarder(peer: client, proxy: self, direction: .response, connection: number, limit: limit, shared: shared)
                        )
                        client.read()
                        client.setOption(.autoRead, value: true).whenFailure { _ in client.close(promise: nil) }
                    } catch {
                        client.close(promise: nil)
                        upstream.close(promise: nil)
                    }
                }
            }
    }

    fileprivate func forget(_ connection: Int) {
        let ready = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.connections.removeValue(forKey: connection)
            let count = state.connections.count
            let ready = state.closeWaiters.filter { $0.limit >= count }.map(\.continuation)
            state.closeWaiters.removeAll { $0.limit >= count }
            return ready
        }
        for continuation in ready { continuation.resume() }
    }

    /// Whether a response that starts now must be dropped (consumes one unit of the drop budget).
    fileprivate func takeDrop() -> Bool {
        state.withLock { state in
            guard state.dropBudget > 0 else { return false }
            state.dropBudget -= 1
            state.droppedResponses += 1
            return true
        }
    }

    fileprivate func countCut() { state.withLock { $0.cuts += 1 } }

    fileprivate func record(head: String) { state.withLock { $0.requestHeads.append(head) } }
}

/// Moves bytes from one side of a proxied connection to the other, applying the proxy's faults.
private final class Forwarder: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    enum Direction { case request, response }

    private let peer: any Channel
    private let proxy: FaultProxy
    private let direction: Direction
    private let connection: Int
    private var remaining: Int?
    private var headParser = RequestHeadParser()
    private let shared: ConnectionState

    init(peer: any Channel, proxy: FaultProxy, direction: Direction, connection: Int, limit: Int?, shared: ConnectionState) {
        self.shared = shared
        self.peer = peer
        self.proxy = proxy
        self.direction = direction
        self.connection = connection
        self.remaining = limit
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        switch direction {
        case .request:
            for head in headParser.feed(bytes) {
                proxy.record(head: head)
                shared.awaitingResponse = true
            }
        case .response:
            if shared.awaitingResponse {
                shared.awaitingResponse = false
                if proxy.takeDrop() {
                    cut(context)
                    return
                }
            }
            if proxy.holdIfHolding(bytes, for: peer) { return }
            if let remaining {
                if bytes.readableBytes >= remaining {
                    let head = bytes.readSlice(length: remaining)!
                    proxy.countCut()
                    peer.writeAndFlush(head).whenComplete { [peer] _ in peer.close(promise: nil) }
                    context.close(promise: nil)
                    self.remaining = 0
                    return
                }
                self.remaining = remaining - bytes.readableBytes
            }
        }
        peer.writeAndFlush(bytes, promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        proxy.forget(connection)
        peer.close(promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private func cut(_ context: ChannelHandlerContext) {
        peer.close(promise: nil)
        context.close(promise: nil)
    }
}

/// What the two forwarders of one connection share; both run on the connection's event loop.
private final class ConnectionState {
    /// A request was forwarded and its response has not started: the next upstream bytes begin a response.
    var awaitingResponse = false
}

/// Finds request heads in a client's byte stream (bodies framed by `Content-Length` are skipped).
private struct RequestHeadParser {
    private var buffer: [UInt8] = []
    private var bodyRemaining = 0

    mutating func feed(_ bytes: ByteBuffer) -> [String] {
        buffer += bytes.readableBytesView
        var heads: [String] = []
        while true {
            if bodyRemaining > 0 {
                let skipped = min(bodyRemaining, buffer.count)
                buffer.removeFirst(skipped)
                bodyRemaining -= skipped
                if bodyRemaining > 0 { return heads }
            }
            guard let end = findHeadEnd() else { return heads }
            let head = String(decoding: buffer[..<end], as: UTF8.self)
            buffer.removeFirst(end + 4)
            heads.append(head)
            for line in head.split(separator: "\r\n") {
                let parts = line.split(separator: ":", maxSplits: 1)
                if parts.count == 2, parts[0].lowercased() == "content-length" {
                    bodyRemaining = Int(parts[1].trimmingCharacters(in: .whitespaces)) ?? 0
                }
            }
        }
    }

    private func findHeadEnd() -> Int? {
        guard buffer.count >= 4 else { return nil }
        for index in 0...(buffer.count - 4)
        where buffer[index] == 13 && buffer[index + 1] == 10 && buffer[index + 2] == 13 && buffer[index + 3] == 10 {
            return index
        }
        return nil
    }
}
