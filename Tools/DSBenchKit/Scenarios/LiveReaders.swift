import NIOCore

/// A reader that waits at the tail with `live=long-poll`, records each message it receives, and polls again
/// from `Stream-Next-Offset` (with the server's cursor, as clients do).
///
/// Each poll is written into one reused buffer from the previous response's header bytes: at 1,000 readers
/// and one append every 10 ms this runs 100,000 times a second on the cores the server needs.
final class LongPollReader: ResponseConsumer {
    private let connection: ReaderConnection
    private let stats: LiveStats
    /// `GET <root><stream>?offset=`
    private let requestStart: ByteBuffer
    /// ` HTTP/1.1`, the `Host` header and the blank line.
    private let requestEnd: ByteBuffer
    private var request = ByteBuffer()
    private var offset: ByteBuffer
    /// The server's last `Stream-Cursor` (empty: none yet).
    private var cursor = ByteBuffer()
    private var status: UInt = 0
    private var next = ByteBuffer()
    private var hasNext = false
    private var body: ByteBuffer?

    private static let nextOffsetName = Array("stream-next-offset".utf8)
    private static let cursorName = Array("stream-cursor".utf8)

    init(connection: ReaderConnection, target: BenchTarget, stream: String, offset: String, stats: LiveStats) {
        self.connection = connection
        self.stats = stats
        self.requestStart = ByteBuffer(string: "GET \(target.uri(stream))?offset=")
        self.requestEnd = ByteBuffer(string: " HTTP/1.1\r\nHost: \(target.hostHeader)\r\n\r\n")
        self.offset = ByteBuffer(string: offset)
        request.reserveCapacity(requestStart.readableBytes + requestEnd.readableBytes + 96)
    }

    func poll() {
        guard !stats.stopping else { return }
        request.clear()
        request.writeImmutableBuffer(requestStart)
        request.writeImmutableBuffer(offset)
        request.writeStaticString("&live=long-poll")
        if cursor.readableBytes > 0 {
            request.writeStaticString("&cursor=")
            request.writeImmutableBuffer(cursor)
        }
        request.writeImmutableBuffer(requestEnd)
        connection.send(request)
    }

    func responseHead(_ head: ResponseHead) {
        status = head.status
        next.clear()
        hasNext = false
        if let value = head.headerValue(Self.nextOffsetName) {
            next.writeImmutableBuffer(value)
            hasNext = true
        }
        if let value = head.headerValue(Self.cursorName) {
            cursor.clear()
            cursor.writeImmutableBuffer(value)
        }
        body = nil
    }

    func responseBody(_ buffer: ByteBuffer) {
        if body == nil { body = buffer } else { body!.writeImmutableBuffer(buffer) }
    }

    func responseEnd() {
        let parsed = BenchClock.now()
        let arrived = connection.arrival
        stats.statuses[status, default: 0] += 1
        switch status {
        case 200:
            if let body {
                stats.malformed += LiveMessage.parse(body.readableBytesView) { seq, sentAt in
                    stats.delivered(seq: seq, sentAt: sentAt, arrived: arrived, parsed: parsed)
                }
            }
        case 204:
            stats.timeouts += 1
        default:
            stats.unexpected += 1
            return  // stop this reader rather than spin on an error
        }
        body = nil
        guard hasNext else {
            stats.unexpected += 1
            return
        }
        swap(&offset, &next)
        poll()
    }

    func connectionClosed(error: (any Error)?) {
        if !stats.stopping { stats.errors += 1 }
    }
}

/// A reader that follows the stream with `live=sse`, records each message of each `data` event, and
/// reconnects from the last control event's `streamNextOffset` when the server ends the response.
final class SSEStreamReader: ResponseConsumer {
    private var connection: ReaderConnection
    private let thread: ReaderThread
    private let target: BenchTarget
    private let stream: String
    private let stats: LiveStats
    private var offset: String
    private var parser = SSEParser()
    /// The data of the last control event.
    private var lastControl = ByteBuffer()
    private var status: UInt = 0

    init(connection: ReaderConnection, thread: ReaderThread, target: BenchTarget, stream: String, offset: String, stats: LiveStats) {
        self.connection = connection
        self.thread = thread
        self.target = target
        self.stream = stream
        self.offset = offset
        self.stats = stats
    }

    func start() {
        guard !stats.stopping else { return }
        parser = SSEParser()
        connection.send(RequestTemplate(.GET, target.uri(stream, query: "offset=\(offset)&live=sse"), target: target).bytes)
    }

    func responseHead(_ head: ResponseHead) {
        status = head.status
        stats.statuses[status, default: 0] += 1
        if status != 200 { stats.unexpected += 1 }
    }

    func responseBody(_ buffer: ByteBuffer) {
        guard status == 200 else { return }
        let parsed = BenchClock.now()
        let arrived = connection.arrival
        parser.feed(buffer) { type, data in
            if type.readableBytesView.elementsEqual("data".utf8) {
                stats.malformed += LiveMessage.parse(data.readableBytesView) { seq, sentAt in
                    stats.delivered(seq: seq, sentAt: sentAt, arrived: arrived, parsed: parsed)
                }
            } else if type.readableBytesView.elementsEqual("control".utf8) {
                // Kept as bytes (copied into one reused buffer); the offset is only needed to reconnect.
                lastControl.clear()
                lastControl.writeImmutableBuffer(data)
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
        if let next = SSEParser.jsonString("streamNextOffset", in: lastControl) { offset = next }
        do {
            connection = try thread.connect()
        } catch {
            stats.errors += 1
            return
        }
        connection.consumer = self
        start()
    }
}
