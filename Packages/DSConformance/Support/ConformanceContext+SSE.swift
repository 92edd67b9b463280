import AsyncHTTPClient
import DSProtocol
import NIOCore
import NIOHTTP1
import Synchronization

/// What an SSE read saw.
struct SSEOutcome: Sendable {
    let request: String
    let status: Int
    let headers: HTTPHeaders
    /// Every event received, in order.
    let events: [SSEEvent]
    /// Whether the server ended the response (rather than the case stopping to read).
    let ended: Bool
    /// The body of a non-`200` response.
    let body: [UInt8]

    func header(_ name: String) -> String? { headers.first(name: name) }

    /// Fails unless the status is `code`.
    func expectStatus(_ code: Int) throws {
        try expect(status == code, "\(request): expected status \(code), got \(status)\n  body: \(preview(body))")
    }

    /// The control events parsed as JSON objects.
    func controls() throws -> [JSONValue] {
        try events.controlEvents.map { event in
            guard let value = JSONValue.parse(event.data), case .object = value else {
                throw ConformanceFailure("\(request): control event is not a JSON object: \(String(reflecting: event.data))")
            }
            return value
        }
    }

    /// The last control event; fails when there is none.
    func lastControl() throws -> JSONValue {
        guard let last = try controls().last else {
            throw ConformanceFailure("\(request): no control event among \(events)")
        }
        return last
    }

    /// The data events' payloads concatenated, decoding base64 when the response says so.
    func dataBytes() throws -> [UInt8] {
        let base64 = header(ProtocolHeader.sseDataEncoding)?.lowercased() == "base64"
        var bytes: [UInt8] = []
        for event in events.dataEvents {
            if base64 {
                bytes += try SSEOutcome.decodeBase64(event.data, request: request)
            } else {
                bytes += Array(event.data.utf8)
            }
        }
        return bytes
    }

    /// Decodes a base64 data event per §5.8: line breaks removed, length a multiple of 4, standard alphabet.
    static func decodeBase64(_ data: String, request: String) throws -> [UInt8] {
        let joined = String(data.unicodeScalars.filter { $0 != "\n" && $0 != "\r" })
        try expect(joined.utf8.count % 4 == 0, "\(request): base64 data event length \(joined.utf8.count) is not a multiple of 4")
        if joined.isEmpty { return [] }
        guard let bytes = Base64.decode(joined) else {
            throw ConformanceFailure("\(request): data event is not valid base64: \(String(reflecting: String(joined.prefix(80))))")
        }
        return bytes
    }
}

/// Events received so far, shared with the timeout path so a failure can show them.
private final class EventLog: Sendable {
    private let events = Mutex<[SSEEvent]>([])

    func append(_ new: [SSEEvent]) -> [SSEEvent] {
        events.withLock {
            $0 += new
            return $0
        }
    }

    var snapshot: [SSEEvent] { events.withLock { $0 } }
}

extension ConformanceContext {
    /// Opens an SSE read and collects events until `stop` returns true for the events so far, or the server ends
    /// the response. `afterOpen` runs once the response head has arrived (e.g. to append data the read must then
    /// deliver). Fails when neither happens within `within` (default: the request limit).
    func sse(
        _ stream: String,
        offset: String? = "-1",
        cursor: String? = nil,
        within: Duration? = nil,
        until stop: @escaping @Sendable ([SSEEvent]) -> Bool = { _ in false },
        afterOpen: (@Sendable () async throws -> Void)? = nil
    ) async throws -> SSEOutcome {
        var query: [(String, String)] = []
        if let cursor { query.append((QueryParameter.cursor, cursor)) }
        query.append((QueryParameter.live, LiveMode.sse.rawValue))
        if let offset { query.append((QueryParameter.offset, offset)) }
        let target = path(stream) + Self.queryString(query)
        let description = "GET \(target)"
        var builder = HTTPClientRequest(url: configuration.baseURL + target)
        builder.headers.add(name: "Accept", value: "text/event-stream")
        let request = builder
        let limit = within ?? configuration.requestLimit
        let log = EventLog()
        let client = self.client

        let outcome: SSEOutcome? = try await withThrowingTaskGroup(of: SSEOutcome?.self) { group in
            group.addTask {
                let response: HTTPClientResponse
                do {
                    response = try await client.execute(request, timeout: Self.timeAmount(limit))
                } catch {
                    throw ConformanceFailure("\(description): request failed: \(error)")
                }
                guard response.status == .ok else {
                    let body = try await response.body.collect(upTo: 1024 * 1024)
                    return SSEOutcome(
                        request: description, status: Int(response.status.code), headers: response.headers,
                        events: [], ended: true, body: Array(body.readableBytesView)
                    )
                }
                async let action: Void = { try await afterOpen?() }()
                var parser = SSEParser()
                var ended = true
                do {
                    for try await chunk in response.body {
                        let events = parser.feed(chunk.readableBytesView)
                        if !events.isEmpty, stop(log.append(events)) {
                            ended = false
                            break
                        }
                    }
                } catch is CancellationError {
                    throw CancellationError()
                } catch {
                    // A reset after the last event still leaves what was read; the caller judges the events.
                }
                try await action
                return SSEOutcome(
                    request: description, status: 200, headers: response.headers,
                    events: log.snapshot, ended: ended, body: []
                )
            }
            group.addTask {
                try await Task.sleep(for: limit)
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            return first
        }
        guard let outcome else {
            throw ConformanceFailure("\(description): the expected events did not arrive within \(limit); got \(log.snapshot)")
        }
        return outcome
    }
}
