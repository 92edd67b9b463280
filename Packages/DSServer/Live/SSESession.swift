import DSCursor
import DSProtocol
import DSStore
import NIOCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One SSE reader: sends data events with their control events from an offset on, waits at the tail
/// for the stream's own changes, and ends at closure, deletion, hang-up, shutdown or its connection lifetime.
///
/// All state lives on the connection's event loop. Back-pressure is natural: the session reads the next
/// chunk from the store only after the previous write drained below the connection's high-water mark,
/// so a reader that stops reading costs one chunk of buffering, not the whole stream.
public final class SSESession: Sendable {
    private let handler: StreamRequestHandler
    private let path: String
    private let base64: Bool
    private let isJSON: Bool
    private let clientCursor: String?
    private let context: RequestContext
    private let state: NIOLoopBoundBox<State>

    private struct State {
        var position: StreamOffset
        var pending: ReadOutcome?
        var writer: (any SSEWriter)?
        var wait: StreamWait?
        var timer: Scheduled<Void>?
        var finished = false
    }

    init(first: ReadOutcome, handler: StreamRequestHandler, path: String, clientCursor: String?, context: RequestContext) {
        self.handler = handler
        self.path = path
        self.base64 = !first.info.contentType.isSSETextNative
        self.isJSON = first.info.contentType.isJSON
        self.clientCursor = clientCursor
        self.context = context
        self.state = NIOLoopBoundBox(State(position: first.next, pending: first), eventLoop: context.eventLoop)
    }

    /// Whether data events are base64 (the response must then carry `stream-sse-data-encoding: base64`).
    public var usesBase64: Bool { base64 }

    /// Starts sending on `writer`. Call once, on the connection's event loop, after the response head was written.
    public func start(writer: any SSEWriter) {
        context.eventLoop.assertInEventLoop()
        state.value.writer = writer
        state.value.timer = context.eventLoop.scheduleTask(in: handler.options.sseConnectionLifetime) { [self] in
            self.finish()
        }
        handler.liveRequests.track(context.lifetime)
        context.lifetime.onEnd { [self] _ in self.finish() }
        guard let first = state.value.pending else { return }
        state.value.pending = nil
        send(first, isFirst: true)
    }

    /// Emits the events for one read, then continues reading or waits.
    ///
    /// Events go out without a write promise each (with one, NIO's chunked encoder makes three more and combines
    /// them, per event and reader). Only when the connection is over its high-water mark does the session ask
    /// to hear back, with an empty write that completes once everything before it reached the socket.
    private func send(_ outcome: ReadOutcome, isFirst: Bool) {
        guard !state.value.finished, let writer = state.value.writer else { return }
        let hasData = outcome.next > outcome.start
        let closedAtEnd = outcome.info.closed && outcome.isUpToDate
        state.value.position = outcome.next
        if hasData || isFirst || closedAtEnd {
            let cursorOptions = handler.options.cursorOptions
            let now = Date()
            let cursor = closedAtEnd ? nil : handler.responseCursor(clientCursor: clientCursor, now: now)
            let control = SSEControl(streamNextOffset: outcome.next, streamCursor: cursor, upToDate: outcome.isUpToDate, streamClosed: closedAtEnd)
            var key = SSEEventCache.Key(streamID: outcome.info.id, start: outcome.start.position, end: outcome.next.position)
            let sharedControl = cursor == nil || clientCursor == nil || cursor == calculateCursor(options: cursorOptions, now: now)
            if hasData && sharedControl {
                // Every reader waking for this range now gets the same two events (no cursor of its own, which
                // only a client ahead of the server's interval has): encoded once, one shared buffer each.
                key.control = SSEEventCache.Control(cursor: cursor, upToDate: control.upToDate, closed: closedAtEnd)
                writer.send(handler.sseEvents.event(for: key) { encodeEvents(outcome, control: control) }, flush: true)
            } else {
                if hasData { writer.send(handler.sseEvents.event(for: key) { encodeEvents(outcome, control: nil) }, flush: false) }
                var buffer = context.allocator.buffer(capacity: 160)
                SSEEncoder.writeControlEvent(control, into: &buffer)
                // The data event and its control event leave in one flush, so no reader sees one without the other.
                writer.send(buffer, flush: true)
            }
            if closedAtEnd {
                finish()  // the end of the response is written after these events
                return
            }
            if !writer.isWritable {
                writer.write(context.allocator.buffer(capacity: 0), flush: true).whenComplete { [self] result in
                    if case .success = result { self.continueAfter(outcome) } else { self.finish() }
                }
                return
            }
        }
        continueAfter(outcome)
    }

    /// Encodes the `data` event for a read (JSON streams: one array), followed by `control` if given.
    private func encodeEvents(_ outcome: ReadOutcome, control: SSEControl?) -> ByteBuffer {
        let chunks = isJSON ? StreamRequestHandler.jsonArray(outcome.chunks) : outcome.chunks
        let payloadBytes = chunks.reduce(0) { $0 + $1.readableBytes }
        let controlBytes = control == nil ? 0 : 160
        var event = context.allocator.buffer(capacity: (base64 ? payloadBytes * 4 / 3 + 8 : payloadBytes) + 32 + payloadBytes / 64 + controlBytes)
        if chunks.count == 1 {
            SSEEncoder.writeDataEvent(chunks[0].readableBytesView, base64: base64, into: &event)
        } else {
            var joined = context.allocator.buffer(capacity: payloadBytes)
            for chunk in chunks { joined.writeImmutableBuffer(chunk) }
            SSEEncoder.writeDataEvent(joined.readableBytesView, base64: base64, into: &event)
        }
        if let control { SSEEncoder.writeControlEvent(control, into: &event) }
        return event
    }

    /// Reads on while behind the tail; waits for the stream's next change once up to date.
    private func continueAfter(_ outcome: ReadOutcome) {
        guard !state.value.finished else { return }
        if outcome.isUpToDate {
            waitForChange()
        } else {
            readNext()
        }
    }

    private func readNext() {
        let request = ReadRequest(path: path, start: .offset(state.value.position), maxBytes: handler.options.readChunkBytes, now: handler.options.clock.now())
        if let result = WokenReaders.readImmediately(request, from: handler.store) {
            received(result)
            return
        }
        handler.store.read(request, on: context.eventLoop).whenComplete { [self] result in self.received(result) }
    }

    /// Sends what a read returned; a failed read ends the session.
    private func received(_ result: Result<ReadOutcome, some Error>) {
        switch result {
        case .success(let outcome): send(outcome, isFirst: false)
        case .failure: finish()
        }
    }

    private func waitForChange() {
        let wait = handler.store.waitForChange(path: path, after: state.value.position, waiter: ChangeWaiter(session: self))
        if wait.isRegistered { state.value.wait = wait }
    }

    /// The store's word that the stream changed (on the session's loop).
    private func streamChanged(_ change: StreamChange) {
        state.value.wait = nil
        guard !state.value.finished else { return }
        switch change {
        case .dataAvailable, .closed:
            // Read on a later turn of the loop, not inside the append that woke us: a busy server then takes in
            // every append already queued on the writer's connection first, and this reader gets them as one
            // event instead of one event (and one write) per append, so its fan-out falls behind gracefully
            // rather than without bound (see WokenReaders).
            WokenReaders.readLater(self, on: context.eventLoop)
        case .deleted: finish()
        }
    }

    /// The session's waiter at the store: one small object per wait, where a promise cost a future, a callback
    /// closure and its list (the session itself is public API, so it does not conform).
    private final class ChangeWaiter: StreamWaiter {
        let session: SSESession

        init(session: SSESession) { self.session = session }

        var eventLoop: any EventLoop { session.context.eventLoop }

        func streamChanged(_ change: StreamChange) { session.streamChanged(change) }
    }

    /// Ends the session once: releases the waiter and timer and closes the connection.
    private func finish() {
        guard !state.value.finished else { return }
        state.value.finished = true
        state.value.wait?.cancel()
        state.value.wait = nil
        state.value.timer?.cancel()
        state.value.timer = nil
        state.value.writer?.finish()
        state.value.writer = nil
    }
}

extension SSESession: WokenReader {
    func readAfterWake() {
        guard !state.value.finished else { return }
        readNext()
    }
}

extension StreamRequestHandler {
    /// The response head for an SSE read; the transport then calls ``SSESession/start(writer:)``.
    func startEventStream(_ first: ReadOutcome, request: ReadRequest, clientCursor: String?, context: RequestContext) -> StreamResponse {
        let session = SSESession(first: first, handler: self, path: request.path, clientCursor: clientCursor, context: context)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "text/event-stream")
        headers.add(name: "Cache-Control", value: "no-cache")
        if session.usesBase64 { headers.add(name: ProtocolHeader.sseDataEncoding, value: "base64") }
        return StreamResponse(status: .ok, headers: headers, body: .eventStream(session))
    }
}

import NIOHTTP1
