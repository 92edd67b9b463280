import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// One parsed Server-Sent Event.
public struct SSEEvent: Sendable, Equatable {
    /// The `event:` field.
    public var event: String
    /// The `data:` lines joined with `\n`.
    public var data: String

    /// The control event's JSON object.
    public func controlObject() throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any] else {
            throw TestFailure("control event is not a JSON object: \(data)")
        }
        return object
    }
}

/// Reads an SSE response incrementally; successive `events` calls continue where the last one stopped.
public final class SSEReader: @unchecked Sendable {
    // @unchecked: a reader is used by one test task at a time; the iterator is never shared.
    /// The response status.
    public let status: HTTPResponseStatus
    /// Response headers.
    public let headers: HTTPHeaders
    private var iterator: HTTPClientResponse.Body.AsyncIterator
    private var parser = SSEParser()
    private var buffered: [SSEEvent] = []

    private init(response: HTTPClientResponse) {
        status = response.status
        headers = response.headers
        iterator = response.body.makeAsyncIterator()
    }

    /// Opens `url` with `GET` and returns once the head arrived.
    public static func open(_ url: String, headers: [(String, String)] = [], timeout: TimeAmount = .seconds(30)) async throws -> SSEReader {
        var request = HTTPClientRequest(url: url)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response = try await TestHTTPClient.shared.execute(request, timeout: timeout)
        return SSEReader(response: response)
    }

    /// Collects events until `stop` returns true for the events collected by this call, or the connection ends.
    /// Returns the events and whether the connection ended.
    public func events(until stop: @Sendable ([SSEEvent]) -> Bool = { _ in false }) async throws -> (events: [SSEEvent], ended: Bool) {
        var events: [SSEEvent] = []
        while !buffered.isEmpty {
            events.append(buffered.removeFirst())
            if stop(events) { return (events, false) }
        }
        while let chunk = try await iterator.next() {
            for event in parser.feed(chunk) {
                if stop(events) { buffered.append(event) } else { events.append(event) }
            }
            if stop(events) { return (events, false) }
        }
        return (events, true)
    }
}

/// Incremental SSE parsing per the WHATWG rules used by browsers (CR, LF and CRLF line ends).
public struct SSEParser: Sendable {
    private var pending: [UInt8] = []
    private var event = ""
    private var dataLines: [String] = []
    private var lastWasCR = false

    /// Creates a parser.
    public init() {}

    /// Feeds bytes, returning every event completed by them.
    public mutating func feed(_ buffer: ByteBuffer) -> [SSEEvent] {
        var completed: [SSEEvent] = []
        buffer.withUnsafeReadableBytes { bytes in
            var lineStart = 0
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                    if byte == UInt8(ascii: "\n") && lastWasCR && index == lineStart && pending.isEmpty {
                        lastWasCR = false  // the LF of a CRLF split across lines
                    } else {
                        pending.append(contentsOf: bytes[lineStart..<index])
                        if let event = line(String(decoding: pending, as: UTF8.self)) { completed.append(event) }
                        pending.removeAll(keepingCapacity: true)
                        lastWasCR = byte == UInt8(ascii: "\r")
                    }
                    lineStart = index + 1
                } else {
                    lastWasCR = false
                }
                index += 1
            }
            pending.append(contentsOf: bytes[lineStart..<bytes.count])
        }
        return completed
    }

    private mutating func line(_ line: String) -> SSEEvent? {
        if line.isEmpty {
            defer { event = ""; dataLines = [] }
            guard !dataLines.isEmpty || !event.isEmpty else { return nil }
            return SSEEvent(event: event.isEmpty ? "message" : event, data: dataLines.joined(separator: "\n"))
        }
        if line.hasPrefix(":") { return nil }
        let parts = line.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        let field = String(parts[0])
        var value = parts.count > 1 ? String(parts[1]) : ""
        if value.hasPrefix(" ") { value.removeFirst() }
        switch field {
        case "event": event = value
        case "data": dataLines.append(value)
        default: break
        }
        return nil
    }
}
