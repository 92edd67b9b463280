import AsyncHTTPClient
import DSProtocol
import Foundation
import NIOCore
import NIOHTTP1

/// What a case body sees: unique stream names, an HTTP client bound to the server under test, and its own
/// reproducible random seed.
struct ConformanceContext: Sendable {
    let client: HTTPClient
    let configuration: ConformanceConfiguration
    /// This case's seed (derived from the run seed and the case's name).
    let seed: UInt64

    /// A request body.
    enum Body: Sendable {
        case bytes([UInt8])
        /// Sent with `Transfer-Encoding: chunked`, one chunk per element.
        case chunked([[UInt8]])

        static func text(_ text: String) -> Body { .bytes(Array(text.utf8)) }
    }

    /// A stream name no other case (or run) uses.
    func streamName(_ hint: String = "s") -> String {
        "\(configuration.streamPrefix)-\(hint)-\(UUID().uuidString.lowercased())"
    }

    /// The URL path of a stream, as `Stream-Forked-From` and `Location` carry it.
    func path(_ stream: String) -> String { configuration.streamRoot + stream }

    /// The absolute URL of a stream.
    func url(_ stream: String) -> String { configuration.baseURL + path(stream) }

    /// Sends one request and collects the whole response.
    func send(
        _ method: HTTPMethod,
        _ stream: String,
        query: [(String, String)] = [],
        headers: [(String, String)] = [],
        body: Body? = nil,
        limit: Duration? = nil
    ) async throws -> HTTPReply {
        let target = path(stream) + Self.queryString(query)
        var request = HTTPClientRequest(url: configuration.baseURL + target)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        switch body {
        case .bytes(let bytes)?:
            request.body = .bytes(ByteBuffer(bytes: bytes))
        case .chunked(let chunks)?:
            request.body = .stream(BufferSequence(buffers: chunks.map { ByteBuffer(bytes: $0) }), length: .unknown)
        case nil:
            break
        }
        let description = "\(method.rawValue) \(target)"
        let timeout = limit ?? configuration.requestLimit
        do {
            let response = try await client.execute(request, timeout: Self.timeAmount(timeout))
            let collected = try await response.body.collect(upTo: 256 * 1024 * 1024)
            return HTTPReply(
                request: description,
                status: Int(response.status.code),
                headers: response.headers,
                body: Array(collected.readableBytesView)
            )
        } catch let error as HTTPClientError where error == .deadlineExceeded {
            throw ConformanceFailure("\(description): no response within \(timeout)")
        } catch let error as ConformanceFailure {
            throw error
        } catch {
            throw ConformanceFailure("\(description): request failed: \(error)")
        }
    }

    static func timeAmount(_ duration: Duration) -> TimeAmount {
        let (seconds, attoseconds) = duration.components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    /// `?a=1&b=2` with every value percent-encoded (offsets are opaque and must be encoded).
    static func queryString(_ query: [(String, String)]) -> String {
        guard !query.isEmpty else { return "" }
        return "?" + query.map { "\(percentEncode($0.0))=\(percentEncode($0.1))" }.joined(separator: "&")
    }

    static func percentEncode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return out
    }
}

// MARK: - Operations

extension ConformanceContext {
    /// `PUT` a stream (no assertion).
    func create(
        _ stream: String,
        contentType: String? = "text/plain",
        headers: [(String, String)] = [],
        body: Body? = nil
    ) async throws -> HTTPReply {
        let typeHeader = contentType.map { [("Content-Type", $0)] } ?? []
        return try await send(.PUT, stream, headers: typeHeader + headers, body: body)
    }

    /// Creates a stream and fails unless the server answers `201 Created`.
    @discardableResult
    func createStream(
        _ stream: String,
        contentType: String? = "text/plain",
        headers: [(String, String)] = [],
        body: Body? = nil
    ) async throws -> HTTPReply {
        try await create(stream, contentType: contentType, headers: headers, body: body).expectStatus(201)
    }

    /// Creates a uniquely named stream and returns its name.
    func newStream(
        _ hint: String = "s",
        contentType: String? = "text/plain",
        headers: [(String, String)] = [],
        body: Body? = nil
    ) async throws -> String {
        let name = streamName(hint)
        try await createStream(name, contentType: contentType, headers: headers, body: body)
        return name
    }

    /// `POST` to a stream (no assertion).
    func append(
        _ stream: String,
        _ body: Body?,
        contentType: String? = "text/plain",
        headers: [(String, String)] = []
    ) async throws -> HTTPReply {
        let typeHeader = contentType.map { [("Content-Type", $0)] } ?? []
        return try await send(.POST, stream, headers: typeHeader + headers, body: body)
    }

    /// `POST` text to a stream (no assertion).
    func append(_ stream: String, text: String, contentType: String? = "text/plain", headers: [(String, String)] = []) async throws -> HTTPReply {
        try await append(stream, .text(text), contentType: contentType, headers: headers)
    }

    /// Appends and fails unless the server answers `204 No Content`; returns the new tail offset.
    @discardableResult
    func appendOK(_ stream: String, _ body: Body, contentType: String = "text/plain", headers: [(String, String)] = []) async throws -> String {
        try await append(stream, body, contentType: contentType, headers: headers).expectStatus(204).requireNextOffset()
    }

    /// Appends text and fails unless the server answers `204 No Content`; returns the new tail offset.
    @discardableResult
    func appendOK(_ stream: String, text: String, contentType: String = "text/plain", headers: [(String, String)] = []) async throws -> String {
        try await appendOK(stream, .text(text), contentType: contentType, headers: headers)
    }

    /// Close-only `POST` (`Stream-Closed: true`, empty body; no assertion).
    func close(_ stream: String, contentType: String? = nil, headers: [(String, String)] = []) async throws -> HTTPReply {
        try await append(stream, nil, contentType: contentType, headers: [(ProtocolHeader.streamClosed, "true")] + headers)
    }

    /// Closes a stream and fails unless the server answers `204` with `Stream-Closed: true`.
    @discardableResult
    func closeOK(_ stream: String) async throws -> HTTPReply {
        let reply = try await close(stream).expectStatus(204)
        try reply.expectClosed()
        return reply
    }

    /// `GET` a stream (no assertion). `offset: nil` omits the parameter.
    func read(
        _ stream: String,
        offset: String? = "-1",
        live: String? = nil,
        cursor: String? = nil,
        headers: [(String, String)] = [],
        limit: Duration? = nil
    ) async throws -> HTTPReply {
        var query: [(String, String)] = []
        if let cursor { query.append((QueryParameter.cursor, cursor)) }
        if let live { query.append((QueryParameter.live, live)) }
        if let offset { query.append((QueryParameter.offset, offset)) }
        let wait = live == LiveMode.longPoll.rawValue ? configuration.longPollLimit : nil
        return try await send(.GET, stream, query: query, headers: headers, limit: limit ?? wait)
    }

    /// `HEAD` a stream (no assertion).
    func head(_ stream: String) async throws -> HTTPReply { try await send(.HEAD, stream) }

    /// `DELETE` a stream (no assertion).
    func delete(_ stream: String) async throws -> HTTPReply { try await send(.DELETE, stream) }

    /// The current tail offset, from `HEAD`.
    func tail(_ stream: String) async throws -> String {
        try await head(stream).expectStatus(200).requireNextOffset()
    }

    /// Reads from `offset` following `Stream-Next-Offset` until `Stream-Up-To-Date`, returning every byte and the
    /// last response. Fails when the offsets stop advancing before the tail.
    func readAll(_ stream: String, from offset: String = "-1") async throws -> (bytes: [UInt8], last: HTTPReply) {
        var bytes: [UInt8] = []
        var offset = offset
        for _ in 0..<10_000 {
            let reply = try await read(stream, offset: offset).expectStatus(200)
            bytes += reply.body
            let next = try reply.requireNextOffset()
            if reply.isUpToDate { return (bytes, reply) }
            try expect(next != offset || !reply.body.isEmpty, "\(reply.request): returned no data and the same offset without Stream-Up-To-Date")
            offset = next
        }
        throw ConformanceFailure("reading \(stream) did not reach Stream-Up-To-Date within 10000 requests")
    }

    /// Long-polls from `offset` until a response that is not a plain timeout: a `204` without `Stream-Closed`
    /// (the server's timeout passed first) is retried from its `Stream-Next-Offset`, so the wait always ends on
    /// data the case appends (or on closure). Bounded by twice the long-poll limit.
    func longPollForData(_ stream: String, offset: String, cursor: String? = nil) async throws -> HTTPReply {
        let clock = ContinuousClock()
        let deadline = clock.now + configuration.longPollLimit * 2
        var offset = offset
        var cursor = cursor
        while true {
            let reply = try await read(stream, offset: offset, live: LiveMode.longPoll.rawValue, cursor: cursor)
            guard reply.status == 204, !reply.isClosed else { return reply }
            offset = try reply.requireNextOffset()
            cursor = reply.cursor ?? cursor
            try expect(clock.now < deadline, "\(reply.request): no data arrived within \(configuration.longPollLimit * 2)")
        }
    }

    /// Polls `HEAD` (which must not reset a TTL) until it answers `status`, failing after `within`.
    func waitForHeadStatus(_ stream: String, _ status: Int, within: Duration) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + within
        var last = 0
        while clock.now < deadline {
            last = try await head(stream).status
            if last == status { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ConformanceFailure("HEAD \(path(stream)): still \(last) after \(within), expected \(status)")
    }
}
