import DSCursor
import DSProtocol
import DSTestSupport
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// Server-Sent Events reads (PROTOCOL.md §5.8, §8, §10.2).
struct SSETests {
    private func open(_ server: TestServer, _ path: String, offset: String = "-1") async throws -> SSEReader {
        try await SSEReader.open(server.url("\(path)?offset=\(offset)&live=sse"), timeout: .seconds(20))
    }

    @Test(arguments: StoreKind.allCases)
    func textStreamsCarryDataThenControlAndEndOnClosure(store: StoreKind) async throws {
        try await TestServer.with(store) { (server: TestServer) async throws in
            let path = uniquePath()
            try await server.createStream(path, body: "line one\nline two")
            let reader = try await open(server, path)
            #expect(reader.status == .ok)
            #expect(reader.headers.first(name: "Content-Type") == "text/event-stream")
            #expect(reader.headers.first(name: "stream-sse-data-encoding") == nil)
            // The existing data and its control, then the append's: the close is sent only once the reader has
            // them. A close sent at once can reach the server before the woken session reads the append, which
            // then arrives with the closing control in one read (data, control) instead of three events.
            async let delivered = reader.events { $0.count >= 4 }
            #expect(await eventually { server.server.liveRequestCount == 1 })
            try await server.appendText(path, "three")
            let (beforeClose, endedBeforeClose) = try await delivered
            #expect(!endedBeforeClose)
            try await server.request(.POST, path, headers: [("Stream-Closed", "true")])
            let (afterClose, ended) = try await reader.events()
            let events = beforeClose + afterClose
            #expect(ended)
            try #require(events.map(\.event) == ["data", "control", "data", "control", "control"])
            #expect(events[0].data == "line one\nline two")
            #expect(events[2].data == "three")
            let firstControl = try events[1].controlObject()
            #expect(firstControl["upToDate"] as? Bool == true)
            #expect(firstControl["streamCursor"] != nil)
            let last = try events[4].controlObject()
            #expect(last["streamClosed"] as? Bool == true)
            #expect(last["streamCursor"] == nil)
            #expect(last["streamNextOffset"] as? String == (try await server.request(.HEAD, path)).nextOffset)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func binaryStreamsAreBase64Encoded(store: StoreKind) async throws {
        try await TestServer.with(store) { (server: TestServer) async throws in
            let path = uniquePath()
            let bytes: [UInt8] = Array(0...255) + [13, 10, 0]
            try await server.request(.PUT, path, headers: [("Content-Type", "application/octet-stream"), ("Stream-Closed", "true")], body: ByteBuffer(bytes: bytes))
            let reader = try await open(server, path)
            #expect(reader.headers.first(name: "stream-sse-data-encoding") == "base64")
            let (events, ended) = try await reader.events()
            #expect(ended)
            #expect(events.map(\.event) == ["data", "control"])
            #expect(Base64.decode(events[0].data) == bytes)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func jsonStreamsSendArraysAndCRLFIsSplitIntoLines(store: StoreKind) async throws {
        try await TestServer.with(store) { (server: TestServer) async throws in
            let json = uniquePath()
            try await server.request(.PUT, json, headers: [("Content-Type", "application/json"), ("Stream-Closed", "true")], text: "[{\"a\":\n1},2]")
            let (jsonEvents, _) = try await open(server, json).events()
            let array = try JSONSerialization.jsonObject(with: Data(jsonEvents[0].data.utf8)) as? [Any]
            #expect(array?.count == 2)
            let text = uniquePath()
            try await server.request(.PUT, text, headers: [("Content-Type", "text/plain"), ("Stream-Closed", "true")], text: "a\r\nb\rc\nd")
            let (textEvents, _) = try await open(server, text).events()
            #expect(textEvents[0].data == "a\nb\nc\nd")
            #expect(textEvents.count == 2)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func offsetNowOnAClosedStreamSendsOneClosingControlEvent(store: StoreKind) async throws {
        try await TestServer.with(store) { (server: TestServer) async throws in
            let path = uniquePath()
            try await server.request(.PUT, path, headers: [("Content-Type", "text/plain"), ("Stream-Closed", "true")], text: "old")
            let (events, ended) = try await open(server, path, offset: "now").events()
            #expect(ended)
            #expect(events.count == 1)
            let control = try events[0].controlObject()
            #expect(control["streamClosed"] as? Bool == true)
            #expect(control["upToDate"] as? Bool == true)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func offsetNowStartsAtTheTail(store: StoreKind) async throws {
        try await TestServer.with(store) { (server: TestServer) async throws in
            let path = uniquePath()
            let created = try await server.createStream(path, body: "old")
            let reader = try await open(server, path, offset: "now")
            async let collected = reader.events { $0.count >= 3 }
            #expect(await eventually { server.server.liveRequestCount == 1 })
            try await server.appendText(path, "new")
            let (events, _) = try await collected
            let first = try events[0].controlObject()
            #expect(first["streamNextOffset"] as? String == created.nextOffset)
            #expect(first["upToDate"] as? Bool == true)
            #expect(events[1].event == "data")
            #expect(events[1].data == "new")
        }
    }

    /// Readers woken for the same range share one encoded pair of events (SSEEventCache); a reader whose cursor is
    /// ahead of the server's interval still gets a cursor of its own, advanced past the one it sent (§8).
    @Test(arguments: StoreKind.allCases)
    func readersShareEventsButACursorAheadOfTheServerGetsItsOwn(store: StoreKind) async throws {
        // The plain readers' cursor is the clock's current interval. With the default 20 s intervals, a boundary
        // passing between the two readers' wake-ups (on two event loops, however far apart a loaded machine puts
        // them) gives them different cursors and so different events; day-long intervals, the test in the middle
        // of one, keep the interval fixed for the whole test.
        let cursors = CursorOptions(epoch: Date().addingTimeInterval(-1.5 * 86_400), intervalSeconds: 86_400)
        try await TestServer.with(store, configure: { $0.cursorOptions = cursors }) { (server: TestServer) async throws in
            let path = uniquePath()
            try await server.createStream(path)
            let tail = try await server.request(.HEAD, path).nextOffset ?? "-1"
            let ahead = 9_000_000_000
            let plainA = try await open(server, path, offset: tail)
            let plainB = try await open(server, path, offset: tail)
            let aheadReader = try await SSEReader.open(server.url("\(path)?offset=\(tail)&live=sse&cursor=\(ahead)"), timeout: .seconds(20))
            let twoEvents: @Sendable ([SSEEvent]) -> Bool = { $0.count >= 3 }  // the first control event, then data + control
            async let a = plainA.events(until: twoEvents)
            async let b = plainB.events(until: twoEvents)
            async let c = aheadReader.events(until: twoEvents)
            #expect(await eventually { server.server.liveRequestCount == 3 })
            try await server.appendText(path, "shared")
            let (eventsA, eventsB, eventsC) = try await (a.events, b.events, c.events)
            for events in [eventsA, eventsB, eventsC] {
                #expect(events.map(\.event) == ["control", "data", "control"])
                #expect(events[1].data == "shared")
            }
            #expect(eventsA[2] == eventsB[2])
            let plainCursor = try #require(try eventsA[2].controlObject()["streamCursor"] as? String)
            let aheadCursor = try #require(try eventsC[2].controlObject()["streamCursor"] as? String)
            #expect(Int(plainCursor).map { $0 < ahead } == true)
            #expect(Int(aheadCursor).map { $0 > ahead } == true)
            #expect(try eventsC[2].controlObject()["streamNextOffset"] as? String == (try eventsA[2].controlObject()["streamNextOffset"] as? String))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func theServerClosesConnectionsAfterTheConfiguredLifetime(store: StoreKind) async throws {
        try await TestServer.with(store, configure: { $0.sseConnectionLifetime = .milliseconds(300) }) { (server: TestServer) async throws in
            let path = uniquePath()
            try await server.createStream(path, body: "x")
            let (events, ended) = try await open(server, path).events()
            #expect(ended)
            #expect(events.map(\.event) == ["data", "control"])
            #expect(try events[1].controlObject()["streamClosed"] == nil)
            #expect(await eventually { server.server.liveRequestCount == 0 })
        }
    }

    @Test(arguments: StoreKind.allCases)
    func gracefulStopEndsSSEConnections(store: StoreKind) async throws {
        let server = try await TestServer.start(store)
        let path = uniquePath()
        try await server.createStream(path)
        let reader = try await open(server, path)
        async let collected = reader.events()
        #expect(await eventually { server.server.liveRequestCount == 1 })
        try await server.stop()
        let (_, ended) = try await collected
        #expect(ended)
    }
}
