import DSServer
import DSStore
import DSTestSupport
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization
import Testing

/// Each SSE data event and its control event leave in a single flush (usually one shared buffer holding both;
/// otherwise the data event unflushed, then the control event flushed), so no reader ever sees data without
/// the offset that follows it. Checked at the transport boundary
/// (``SSEWriter``) by mounting the transport-independent ``StreamRequestHandler`` with a recording writer.
struct SSEWriteGroupingTests {
    @Test(arguments: StoreKind.allCases)
    func eachDataEventIsFlushedTogetherWithItsControlEvent(kind: StoreKind) async throws {
        let eventLoop = MultiThreadedEventLoopGroup.singleton.next()
        var options = ServerOptions(port: 0)
        options.store = try kind.makeStore()
        options.readChunkBytes = 4  // several reads, so several data/control pairs
        let handler = StreamRequestHandler(options: options)
        let path = uniquePath()
        do {
            try await check(handler: handler, path: path, eventLoop: eventLoop)
        } catch {
            try? await options.store.close()
            throw error
        }
        try await options.store.close()
    }

    private func check(handler: StreamRequestHandler, path: String, eventLoop: any EventLoop) async throws {

        func send(_ method: HTTPMethod, query: [String: String] = [:], headers: [(String, String)] = [], body: String = "", lifetime: RequestLifetime? = nil) async throws -> StreamResponse {
            let request = StreamRequest(
                method: method, streamPath: path, urlPath: "/v1/stream/" + path, query: query,
                headers: HTTPHeaders(headers), body: ByteBuffer(string: body)
            )
            let context = RequestContext(
                eventLoop: eventLoop, allocator: ByteBufferAllocator(), lifetime: lifetime ?? RequestLifetime(eventLoop: eventLoop), host: "x"
            )
            return try await handler.handle(request, context: context).get()
        }

        #expect(try await send(.PUT, headers: [("Content-Type", "text/plain")], body: "abcdefghij").status == .created)
        let lifetime = RequestLifetime(eventLoop: eventLoop)
        let response = try await send(.GET, query: ["offset": "-1", "live": "sse"], lifetime: lifetime)
        guard case .eventStream(let session) = response.body else {
            Issue.record("an SSE read must answer with an event stream, got \(response.status)")
            return
        }
        let writer = RecordingSSEWriter(eventLoop: eventLoop)
        try await eventLoop.submit { session.start(writer: writer) }.get()
        #expect(await eventually { writer.text.contains("upToDate") })
        #expect(try await send(.POST, headers: [("Content-Type", "text/plain"), ("Stream-Closed", "true")], body: "klmnop").status == .noContent)
        #expect(await eventually { writer.isFinished })
        lifetime.end(.completed)

        // The writes between flushes: what one flush hands the socket.
        var flushes: [String] = []
        var pending = ""
        for write in writer.writes {
            pending += write.text
            if write.flush {
                flushes.append(pending)
                pending = ""
            }
        }
        #expect(pending.isEmpty, "bytes written but never flushed")
        var dataEvents = 0
        var payload = ""
        for flushed in flushes {
            // Each flush ends on a complete control event, and each data event in it is followed by its control event.
            #expect(flushed.hasSuffix("\n\n"))
            let events = flushed.components(separatedBy: "\n\n").dropLast()
            #expect(events.last?.hasPrefix("event: control") == true)
            for (index, event) in events.enumerated() where event.hasPrefix("event: data") {
                dataEvents += 1
                payload += event.split(separator: "\n").filter { $0.hasPrefix("data: ") }.map { $0.dropFirst(6) }.joined()
                #expect(index + 1 < events.count && events[events.startIndex + index + 1].hasPrefix("event: control"),
                        "a data event must leave in the same flush as its control event")
            }
        }
        #expect(payload == "abcdefghijklmnop")
        #expect(dataEvents >= 4)
        #expect(writer.writes.last?.text.contains("\"streamClosed\":true") == true)
    }
}

/// An ``SSEWriter`` that records each write with its flush flag.
private final class RecordingSSEWriter: SSEWriter {
    struct Write: Sendable {
        var text: String
        var flush: Bool
    }

    private let eventLoop: any EventLoop
    private let state = Mutex<(writes: [Write], finished: Bool)>(([], false))

    init(eventLoop: any EventLoop) { self.eventLoop = eventLoop }

    func write(_ buffer: ByteBuffer, flush: Bool) -> EventLoopFuture<Void> {
        if buffer.readableBytes > 0 || flush {
            state.withLock { $0.writes.append(Write(text: String(buffer: buffer), flush: flush)) }
        }
        return eventLoop.makeSucceededVoidFuture()
    }

    var isWritable: Bool { true }

    func finish() { state.withLock { $0.finished = true } }

    var writes: [Write] { state.withLock { $0.writes } }
    var text: String { writes.map(\.text).joined() }
    var isFinished: Bool { state.withLock { $0.finished } }
}
