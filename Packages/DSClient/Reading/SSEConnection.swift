import AsyncHTTPClient
import DSProtocol
import Foundation
import NIOCore

/// An open SSE response: its body, the parser, and data events waiting for their control event.
struct SSEConnection {
    var body: HTTPClientResponse.Body.AsyncIterator
    let base64: Bool
    var sawControl = false
    private var parser = SSEEventParser()
    private var queued: [SSEEvent] = []
    private var queuedIndex = 0
    private var pendingData: [ByteBuffer] = []

    init(body: HTTPClientResponse.Body.AsyncIterator, base64: Bool) {
        self.body = body
        self.base64 = base64
    }

    mutating func feed(_ bytes: ByteBuffer) {
        let events = parser.feed(bytes)
        guard !events.isEmpty else { return }
        if queuedIndex == queued.count {
            queued = events
            queuedIndex = 0
        } else {
            queued += events
        }
    }

    mutating func nextQueuedEvent() -> SSEEvent? {
        guard queuedIndex < queued.count else { return nil }
        defer { queuedIndex += 1 }
        return queued[queuedIndex]
    }

    /// Keeps a data event's payload (decoded from base64 for binary streams) until its control event.
    mutating func addData(_ payload: ByteBuffer) throws(DurableStreamError) {
        guard base64 else {
            pendingData.append(payload)
            return
        }
        let decoded = payload.withUnsafeReadableBytes { Base64.decode($0) }
        guard let decoded else {
            throw DurableStreamError(.invalidResponse, "an SSE data event is not valid base64")
        }
        if !decoded.isEmpty { pendingData.append(ByteBuffer(bytes: decoded)) }
    }

    mutating func takeData() -> [ByteBuffer] {
        defer { pendingData = [] }
        return pendingData
    }
}

/// The JSON of an SSE `control` event.
struct SSEControlMessage: Decodable {
    var streamNextOffset: String
    var streamCursor: String?
    var upToDate: Bool?
    var streamClosed: Bool?

    static func decode(_ data: ByteBuffer) throws(DurableStreamError) -> SSEControlMessage {
        do {
            return try JSONDecoder().decode(SSEControlMessage.self, from: Data(data.readableBytesView))
        } catch {
            throw DurableStreamError(.invalidResponse, "an SSE control event is not valid: \(String(buffer: data).prefix(200))")
        }
    }
}
