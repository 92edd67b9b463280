import DSProtocol
import NIOHTTP1

/// A complete response from the server under test, with the request it answers (for failure messages).
struct HTTPReply: Sendable {
    /// `GET /v1/stream/x?offset=-1`.
    let request: String
    let status: Int
    let headers: HTTPHeaders
    let body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }

    /// The first value of a header (names compare case-insensitively).
    func header(_ name: String) -> String? { headers.first(name: name) }
    func has(_ name: String) -> Bool { headers.contains(name: name) }

    var nextOffset: String? { header(ProtocolHeader.streamNextOffset) }
    var cursor: String? { header(ProtocolHeader.streamCursor) }
    var etag: String? { header("ETag") }
    /// `Stream-Closed` present with the value `true` (case-insensitive).
    var isClosed: Bool { header(ProtocolHeader.streamClosed).map { $0.lowercased() == "true" } ?? false }
    /// `Stream-Up-To-Date` present with the value `true` (case-insensitive).
    var isUpToDate: Bool { header(ProtocolHeader.streamUpToDate).map { $0.lowercased() == "true" } ?? false }

    /// Fails unless the status is one of `codes`.
    @discardableResult
    func expectStatus(_ codes: Int..., because reason: String? = nil) throws -> HTTPReply {
        guard codes.contains(status) else {
            let expected = codes.map(String.init).joined(separator: " or ")
            let why = reason.map { " (\($0))" } ?? ""
            throw ConformanceFailure(
                "\(request): expected status \(expected)\(why), got \(status)\n  headers: \(describeHeaders())\n  body: \(preview(body))"
            )
        }
        return self
    }

    /// The header's value; fails when it is missing.
    func require(_ name: String) throws -> String {
        guard let value = header(name) else {
            throw ConformanceFailure("\(request) → \(status): missing header \(name)\n  headers: \(describeHeaders())")
        }
        return value
    }

    /// `Stream-Next-Offset`; fails when it is missing.
    func requireNextOffset() throws -> String { try require(ProtocolHeader.streamNextOffset) }

    /// Fails unless the header is present with exactly `value` (compared case-insensitively when `ignoringCase`).
    func expectHeader(_ name: String, _ value: String, ignoringCase: Bool = false) throws {
        let actual = try require(name)
        let same = ignoringCase ? actual.lowercased() == value.lowercased() : actual == value
        try expect(same, "\(request) → \(status): header \(name) should be \(show(value)), got \(show(actual))")
    }

    /// Fails when the header is present.
    func expectNoHeader(_ name: String, because reason: String = "") throws {
        if let value = header(name) {
            let why = reason.isEmpty ? "" : " (\(reason))"
            throw ConformanceFailure("\(request) → \(status): header \(name) should be absent\(why), got \(show(value))")
        }
    }

    /// Fails unless `Stream-Closed: true` is present.
    func expectClosed(_ reason: String = "") throws {
        try expect(isClosed, "\(request) → \(status): expected Stream-Closed: true\(reason.isEmpty ? "" : " (\(reason))"), got \(show(header(ProtocolHeader.streamClosed)))")
    }

    /// Fails when `Stream-Closed` is present at all.
    func expectOpen(_ reason: String = "") throws {
        try expectNoHeader(ProtocolHeader.streamClosed, because: reason.isEmpty ? "the stream is open" : reason)
    }

    /// Fails unless `Stream-Up-To-Date: true` is present.
    func expectUpToDate() throws {
        try expect(isUpToDate, "\(request) → \(status): expected Stream-Up-To-Date: true, got \(show(header(ProtocolHeader.streamUpToDate)))")
    }

    /// Fails unless the body is exactly `expected`.
    func expectBody(_ expected: [UInt8]) throws {
        try expect(body == expected, "\(request) → \(status): body should be \(preview(expected)), got \(preview(body))")
    }

    /// Fails unless the body is exactly the UTF-8 of `expected`.
    func expectBody(_ expected: String) throws { try expectBody(Array(expected.utf8)) }

    /// Parses the body as JSON; fails when it is not JSON.
    func json() throws -> JSONValue {
        guard let value = JSONValue.parse(body) else {
            throw ConformanceFailure("\(request) → \(status): body is not valid JSON: \(preview(body))")
        }
        return value
    }

    /// Fails unless the body is a JSON array equal to `messages`.
    func expectJSONMessages(_ messages: [JSONValue]) throws {
        let value = try json()
        try expect(value == .array(messages), "\(request) → \(status): JSON body should be \(JSONValue.array(messages)), got \(value)")
    }

    func describeHeaders() -> String {
        headers.map { "\($0.name): \($0.value)" }.joined(separator: "; ")
    }
}
