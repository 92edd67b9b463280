import NIOCore

/// A complete response, for setup requests.
struct SimpleResponse: Sendable {
    var status: UInt
    var rawHeaders: ByteBuffer
    var body: ByteBuffer

    var text: String { String(buffer: body) }

    func header(_ name: String) -> String? { ResponseHead(status: status, rawHeaders: rawHeaders).header(name) }
}

/// Sends one request at a time over a keep-alive connection and collects whole responses (setup only).
struct SimpleClient: Sendable {
    let connection: BenchConnection

    static func connect(_ target: BenchTarget, on eventLoop: any EventLoop) async throws -> SimpleClient {
        let channel: any Channel
        do {
            channel = try await Connector(target: target).connect(on: eventLoop).get()
        } catch {
            throw BenchError.connectionFailed("\(target.host):\(target.port): \(error)")
        }
        return SimpleClient(connection: BenchConnection(channel: channel))
    }

    func execute(_ request: RequestTemplate, timeout: TimeAmount = .seconds(60)) async throws -> SimpleResponse {
        let eventLoop = connection.eventLoop
        let promise = eventLoop.makePromise(of: SimpleResponse.self)
        let timer = eventLoop.scheduleTask(in: timeout) {
            promise.fail(BenchError.setupFailed("\(request.method) request timed out"))
        }
        connection.withHandler { handler in
            handler.consumer = ResponseCollector(promise: promise)
            handler.send(request)
        }.cascadeFailure(to: promise)
        defer { timer.cancel() }
        return try await promise.futureResult.get()
    }

    func close() { connection.close() }
}

/// Collects one response into a ``SimpleResponse``.
private final class ResponseCollector: ResponseConsumer {
    private let promise: EventLoopPromise<SimpleResponse>
    private var head: ResponseHead?
    private var body = ByteBuffer()

    init(promise: EventLoopPromise<SimpleResponse>) { self.promise = promise }

    func responseHead(_ head: ResponseHead) { self.head = head }
    func responseBody(_ buffer: ByteBuffer) {
        var buffer = buffer
        body.writeBuffer(&buffer)
    }
    func responseEnd() {
        guard let head else { return }
        promise.succeed(SimpleResponse(status: head.status, rawHeaders: head.rawHeaders, body: body))
    }
    func connectionClosed(error: (any Error)?) {
        promise.fail(BenchError.setupFailed("connection closed before the response ended\(error.map { ": \($0)" } ?? "")"))
    }
}
