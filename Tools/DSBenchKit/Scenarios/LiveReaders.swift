import NIOCore

/// A reader that waits at the tail with `live=long-poll`, records each message it receives, and polls again
/// from `Stream-Next-Offset` (with the server's cursor, as clients do).
final class LongPollReader: ResponseConsumer {
    private let handler: ClientHandler
    private let target: BenchTarget
    private let stream: String
    private let stats: LiveStats
    private var offset: String
    private var cursor: String?
    private var status: UInt = 0
    private var next: String?
    private var body: ByteBuffer?

    init(handler: ClientHandler, target: BenchTarget, stream: String, offset: String, stats: LiveStats) {
        self.handler = handler
        self.target = target
        self.stream = stream
        self.offset = offset
        self.stats = stats
    }

    func poll() {
        guard !stats.stopping else { return }
        var query = "offset=\(offset)&live=long-poll"
        if let cursor { query += "&cursor=\(cursor)" }
        handler.send(RequestTemplate(.GET, target.uri(stream, query: query), target: target))
    }

    func responseHead(_ head: ResponseHead) {
        status = head.status
        next = head.header("Stream-Next-Offset")
        cursor = head.header("Stream-Cursor") ?? cursor
        body = nil
    }

    func responseBody(_ buffer: ByteBuffer) {
        if body == nil { body = buffer } else { body!.writeImmutableBuffer(buffer) }
    }

    func responseEnd() {
        let now = BenchClock.now()
        stats.statuses[status, default: 0] += 1
        switch status {
        case 200:
            if let body {
                stats.malformed += LiveMessage.parse(body.readableBytesView) { seq, sentAt in
                    stats.delivered(seq: seq, sentAt: sentAt, at: now)
                }
            }
        case 204:
            stats.timeouts += 1
        default:
            stats.unexpected += 1
            return  // stop this reader rather than spin on an error
        }
        body = nil
        guard let next else {
            stats.unexpected += 1
            return
        }
        offset = next
        poll()
    }

    func connectionClosed(error: (any Error)?) {
        if !stats.stopping { stats.errors += 1 }
    }
}

/// A reader that follows the stream with `live=sse`, records each message of each `data` event, and
/// reconnects from the last control event's `streamNextOffset` when the server ends the response.
final class SSEStreamReader: ResponseConsumer {
    private var handler: ClientHandler
    private let connector: Connector
    private let stream: String
    private let stats: LiveStats
    private let eventLoop: any EventLoop
    private var offset: String
    private var parser = SSEParser()
    private var status: UInt = 0

    init(handler: ClientHandler, eventLoop: any EventLoop, connector: Connector, stream: String, offset: String, stats: LiveStats) {
        self.handler = handler
        self.eventLoop = eventLoop
        self.connector = connector
        self.stream = stream
        self.offset = offset
        self.stats = stats
    }

    func start() {
        guard !stats.stopping else { return }
        parser = SSEParser()
        let target = connector.target
        handler.send(RequestTemplate(.GET, target.uri(stream, query: "offset=\(offset)&live=sse"), target: target))
    }

    func responseHead(_ head: ResponseHead) {
        status = head.status
        stats.statuses[status, default: 0] += 1
        if status != 200 { stats.unexpected += 1 }
    }

    func responseBody(_ buffer: ByteBuffer) {
        guard status == 200 else { return }
        let now = BenchClock.now()
        parser.feed(buffer) { type, data in
            if type.readableBytesView.elementsEqual("data".utf8) {
                stats.malformed += LiveMessage.parse(data.readableBytesView) { seq, sentAt in
                    stats.delivered(seq: seq, sentAt: sentAt, at: now)
                }
            } else if type.readableBytesView.elementsEqual("control".utf8) {
                if let next = SSEParser.jsonString("streamNextOffset", in: data) { offset = next }
            }
        }
    }

    func responseEnd() {
        // The server ended the event stream (connection lifetime); the connection closes next and we reconnect.
    }

    func connectionClosed(error: (any Error)?) {
        guard !stats.stopping, status == 200 else {
            if !stats.stopping { stats.errors += 1 }
            return
        }
        stats.reconnects += 1
        let bound = NIOLoopBound(self, eventLoop: eventLoop)
        connector.connect(on: eventLoop).whenComplete { result in
            let reader = bound.value
            switch result {
            case .success(let channel):
                guard let handler = try? channel.pipeline.syncOperations.handler(type: ClientHandler.self) else { return }
                reader.handler = handler
                handler.consumer = reader
                reader.start()
            case .failure:
                reader.stats.errors += 1
            }
        }
    }

    /// Closes the current connection (the case is over).
    func close() { handler.close() }
}
