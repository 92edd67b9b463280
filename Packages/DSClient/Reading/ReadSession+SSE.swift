import AsyncHTTPClient
import DSProtocol
import NIOCore

/// Reading over Server-Sent Events: data events are held until their control event confirms the offset.
extension ReadSession {
    /// The next data-plus-control step of the SSE connection (opening one if needed); `nil` when the server
    /// ended the connection normally and the loop should reconnect.
    mutating func nextSSEBatch() async throws(DurableStreamError) -> Batch? {
        if sse == nil { sse = try await openSSE() }
        while true {
            if let event = sse!.nextQueuedEvent() {
                switch event.type {
                case "data":
                    try sse!.addData(event.data)
                case "control":
                    let control = try SSEControlMessage.decode(event.data)
                    let payloads = sse!.takeData()
                    sse!.sawControl = true
                    return Batch(
                        payloads: payloads,
                        offset: Offset(rawValue: control.streamNextOffset),
                        cursor: control.streamCursor,
                        upToDate: control.upToDate ?? false,
                        closed: control.streamClosed ?? false,
                        contentType: nil
                    )
                default:
                    continue
                }
                continue
            }
            let received: ByteBuffer?
            do {
                received = try await sse!.body.next()
            } catch {
                throw HTTPExchange.mapTransportError(error, method: .GET, url: stream.url)
            }
            guard let received else {
                // The server ended the connection (its lifetime passed). Data without its control event is
                // dropped and read again from the last confirmed offset.
                let progressed = sse!.sawControl
                sse = nil
                if progressed { return nil }
                throw DurableStreamError(.network, "the SSE connection to \(stream.url) ended before any event")
            }
            sse!.feed(received)
        }
    }

    func openSSE() async throws(DurableStreamError) -> SSEConnection {
        let spec = RequestSpec(
            method: .GET,
            url: stream.url(query: query(live: .sse)),
            headers: [("Accept", "text/event-stream")],
            timeout: stream.configuration.requestTimeout
        )
        let response = try await stream.exchange.open(spec)
        guard response.status == .ok else {
            let body = (try? await response.body.collect(upTo: 64 * 1024)).map { String(buffer: $0) } ?? ""
            throw DurableStreamError.from(status: Int(response.status.code), headers: response.headers, body: body, operation: "read")
        }
        let type = response.headers.first(name: "Content-Type") ?? ""
        guard type.lowercased().hasPrefix("text/event-stream") else {
            throw DurableStreamError(
                .invalidResponse, "an SSE read answered with Content-Type \(type), not text/event-stream",
                status: 200, headers: response.headers
            )
        }
        let base64 = response.headers.first(name: ProtocolHeader.sseDataEncoding)?.lowercased() == "base64"
        return SSEConnection(body: response.body.makeAsyncIterator(), base64: base64)
    }
}
