import AsyncHTTPClient
import DSProtocol
import NIOCore
import NIOHTTP1

/// The state machine behind every reader: which request to send next, from which offset, with which
/// cursor, and what to do with failures.
///
/// Offsets only advance when a response is complete (a whole catch-up or long-poll body, or an SSE data
/// event together with its control event), so a connection lost half-way never skips or repeats a byte:
/// the next request starts again from the last offset the server confirmed.
struct ReadSession {
    enum Phase: Equatable {
        case catchUp
        case longPoll
        case sse
    }

    /// One confirmed step of the stream: its data and the protocol state after it.
    struct Batch {
        var payloads: [ByteBuffer]
        var offset: Offset?
        var cursor: String?
        var upToDate: Bool
        var closed: Bool
        var contentType: String?
    }

    let stream: DurableStream
    let mode: ReadMode
    private(set) var offset: Offset
    private(set) var cursor: String?
    private(set) var contentType: String?
    private(set) var finished = false
    private var phase: Phase
    private var reportedUpToDate = false
    private var failures = 0
    var sse: SSEConnection?

    init(stream: DurableStream, offset: Offset, mode: ReadMode) {
        self.stream = stream
        self.offset = offset
        self.mode = mode
        self.contentType = stream.contentType
        switch mode {
        case .catchUp, .auto: phase = .catchUp
        case .longPoll: phase = .longPoll
        case .sse: phase = .sse
        }
    }

    /// The next chunk worth reporting, `nil` at the end (EOF, up to date in catch-up mode, or cancellation).
    mutating func next() async throws(DurableStreamError) -> StreamChunk? {
        while !finished {
            if Task.isCancelled { return stop() }
            let batch: Batch?
            do {
                switch phase {
                case .catchUp: batch = try await fetch(live: nil)
                case .longPoll: batch = try await fetch(live: .longPoll)
                case .sse: batch = try await nextSSEBatch()
                }
            } catch {
                if error.code == .cancelled || Task.isCancelled { return stop() }
                try await recover(from: error)
                continue
            }
            if let batch, let chunk = accept(batch) { return chunk }
        }
        return nil
    }

    private mutating func stop() -> StreamChunk? {
        finished = true
        sse = nil
        return nil
    }

    /// Decides what a failure means: fall back from SSE, wait and retry, or give up by throwing.
    private mutating func recover(from error: DurableStreamError) async throws(DurableStreamError) {
        sse = nil
        if mode == .auto, phase == .sse, error.code == .badRequest || error.code == .invalidResponse && error.status != nil {
            phase = .longPoll  // The server (or a proxy) refuses SSE: long-poll works everywhere.
            return
        }
        guard error.isTransient else {
            finished = true
            throw error
        }
        failures += 1
        guard stream.configuration.retry.allowsRetry(afterFailures: failures) else {
            finished = true
            throw error
        }
        let delay = stream.configuration.retry.delay(afterFailures: failures, retryAfter: HTTPExchange.retryAfter(error.headers))
        do {
            try await Task.sleep(for: delay)
        } catch {
            finished = true
        }
    }

    /// Applies a confirmed batch and returns the chunk to report, if it is worth reporting.
    private mutating func accept(_ batch: Batch) -> StreamChunk? {
        if let next = batch.offset { offset = next }
        if let next = batch.cursor { cursor = next }
        if let type = batch.contentType {
            contentType = type
            stream.remember(contentType: type)
        }
        failures = 0
        if batch.closed {
            finished = true
            sse = nil
        } else if batch.upToDate && phase == .catchUp {
            if mode == .catchUp { finished = true } else { phase = livePhase() }
        }
        let chunk = StreamChunk(
            payloads: batch.payloads, offset: offset, upToDate: batch.upToDate || batch.closed, closed: batch.closed,
            contentType: contentType, isJSON: isJSON
        )
        let report = !chunk.isEmpty || batch.closed || (chunk.upToDate && !reportedUpToDate)
        guard report else { return nil }
        reportedUpToDate = chunk.upToDate
        return chunk
    }

    private var isJSON: Bool { contentType.map { StreamContentType($0).isJSON } ?? false }

    /// The live phase `auto` switches to once caught up.
    private func livePhase() -> Phase {
        guard let contentType else { return .longPoll }
        return StreamContentType(contentType).isSSETextNative ? .sse : .longPoll
    }

    /// The query for a read from the current offset, keys in lexicographic order for cache friendliness.
    func query(live: LiveMode?) -> String {
        var parts: [String] = []
        if live != nil, let cursor { parts.append("\(QueryParameter.cursor)=\(cursor.percentEncodedForQuery)") }
        if let live { parts.append("\(QueryParameter.live)=\(live.rawValue)") }
        parts.append("\(QueryParameter.offset)=\(offset.rawValue.percentEncodedForQuery)")
        return parts.joined(separator: "&")
    }

    // MARK: Catch-up and long-poll

    /// One plain or long-poll `GET` from the current offset.
    private func fetch(live: LiveMode?) async throws(DurableStreamError) -> Batch {
        let configuration = stream.configuration
        var headers: [(String, String)] = []
        if configuration.resolvedAcceptGzip { headers.append(("Accept-Encoding", "gzip")) }
        let spec = RequestSpec(
            method: .GET,
            url: stream.url(query: query(live: live)),
            headers: headers,
            timeout: live == nil ? configuration.requestTimeout : configuration.longPollTimeout
        )
        let response = try await stream.exchange.exchange(spec)
        switch response.status {
        case 200:
            guard let next = response.header(ProtocolHeader.streamNextOffset) else {
                throw DurableStreamError(.invalidResponse, "a read answered without Stream-Next-Offset", status: 200, headers: response.headers)
            }
            return Batch(
                payloads: response.body.readableBytes > 0 ? [response.body] : [],
                offset: Offset(rawValue: next),
                cursor: response.header(ProtocolHeader.streamCursor),
                upToDate: response.header(ProtocolHeader.streamUpToDate) != nil,
                closed: StreamClosedFlag.isSet(response.header(ProtocolHeader.streamClosed)),
                contentType: response.header("Content-Type")
            )
        case 204:
            return Batch(
                payloads: [],
                offset: response.header(ProtocolHeader.streamNextOffset).map(Offset.init(rawValue:)),
                cursor: response.header(ProtocolHeader.streamCursor),
                upToDate: true,
                closed: StreamClosedFlag.isSet(response.header(ProtocolHeader.streamClosed)),
                contentType: nil
            )
        default:
            throw DurableStreamError.from(status: response.status, headers: response.headers, body: response.text, operation: "read")
        }
    }
}

extension String {
    /// The string percent-encoded for a query value: only unreserved characters stay as they are.
    var percentEncodedForQuery: String {
        var result = ""
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                result.unicodeScalars.append(UnicodeScalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".utf8)
                result += "%"
                result.unicodeScalars.append(UnicodeScalar(hex[Int(byte >> 4)]))
                result.unicodeScalars.append(UnicodeScalar(hex[Int(byte & 0xF)]))
            }
        }
        return result
    }
}
