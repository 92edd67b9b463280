import DSProtocol

extension ConformanceCatalog {
    /// §5.8 Read Stream — Live (SSE).
    static var sse: [ConformanceCase] {
        var cases: [ConformanceCase] = [
            ConformanceCase(.sse, "SSE responses use Content-Type: text/event-stream") { ctx in
                let name = try await ctx.newStream(body: .text("x"))
                let outcome = try await ctx.sse(name, until: SSEStop.upToDate)
                try outcome.expectStatus(200)
                let type = outcome.header(H.contentType)?.lowercased() ?? ""
                try expect(type.hasPrefix("text/event-stream"), "\(outcome.request): Content-Type should be text/event-stream, got \(show(type))")
            },
            ConformanceCase(.sse, "existing data arrives as a data event followed by a control event") { ctx in
                let name = try await ctx.newStream(body: .text("hello"))
                let outcome = try await ctx.sse(name, until: SSEStop.upToDate)
                try expectEqual(String(decoding: try outcome.dataBytes(), as: UTF8.self), "hello", "SSE data")
                try outcome.expectControlAfterEveryData()
            },
            ConformanceCase(.sse, "the control event's streamNextOffset is the tail") { ctx in
                let name = try await ctx.newStream()
                let tail = try await ctx.appendOK(name, text: "data")
                let outcome = try await ctx.sse(name, until: SSEStop.upToDate)
                try expectEqual(try SSEOutcome.nextOffset(try outcome.lastControl(), request: outcome.request), tail, "streamNextOffset")
            },
            ConformanceCase(.sse, "control events on an open stream carry streamCursor") { ctx in
                let name = try await ctx.newStream(body: .text("x"))
                let outcome = try await ctx.sse(name, until: SSEStop.upToDate)
                for control in try outcome.controls() {
                    guard case .string? = control["streamCursor"] else {
                        throw ConformanceFailure("\(outcome.request): control event without a string streamCursor: \(control)")
                    }
                }
            },
            ConformanceCase(.sse, "the control event says upToDate: true once caught up") { ctx in
                let name = try await ctx.newStream(body: .text("x"))
                let outcome = try await ctx.sse(name, until: SSEStop.anyControl)
                try expectEqual(try outcome.lastControl()["upToDate"], .bool(true), "upToDate of the first control event")
            },
            ConformanceCase(.sse, "an empty open stream gets a control event with upToDate: true") { ctx in
                let name = try await ctx.newStream()
                let outcome = try await ctx.sse(name, until: SSEStop.anyControl)
                try expect(outcome.events.dataEvents.isEmpty, "\(outcome.request): data events on an empty stream: \(outcome.events)")
                try expectEqual(try outcome.lastControl()["upToDate"], .bool(true), "upToDate")
            },
            ConformanceCase(.sse, "data appended while connected arrives as a new data event") { ctx in
                let name = try await ctx.newStream(body: .text("before|"))
                let outcome = try await ctx.sse(name, until: SSEStop.text("after")) {
                    try await ctx.appendOK(name, text: "after")
                }
                try expectEqual(String(decoding: try outcome.dataBytes(), as: UTF8.self), "before|after", "SSE data")
                try outcome.expectControlAfterEveryData()
            },
            ConformanceCase(.sse, "streamNextOffset increases with each batch of data") { ctx in
                let name = try await ctx.newStream(body: .text("0"))
                let outcome = try await ctx.sse(name, until: SSEStop.text("3")) {
                    for index in 1...3 { try await ctx.appendOK(name, text: "\(index)") }
                }
                var previous: String?
                for control in try outcome.controls() {
                    let offset = try SSEOutcome.nextOffset(control, request: outcome.request)
                    if let previous { try expect(offset >= previous, "streamNextOffset went backwards: \(show(previous)) then \(show(offset))") }
                    previous = offset
                }
                try expectEqual(previous, try await ctx.tail(name), "last streamNextOffset")
            },
            ConformanceCase(.sse, "reconnecting from the last streamNextOffset continues without repeats") { ctx in
                let name = try await ctx.newStream(body: .text("first"))
                let first = try await ctx.sse(name, until: SSEStop.upToDate)
                let resume = try SSEOutcome.nextOffset(try first.lastControl(), request: first.request)
                try await ctx.appendOK(name, text: "second")
                let second = try await ctx.sse(name, offset: resume, until: SSEStop.upToDate)
                try expectEqual(String(decoding: try second.dataBytes(), as: UTF8.self), "second", "data after reconnecting")
            },
            ConformanceCase(.sse, "binary streams are base64-encoded with stream-sse-data-encoding: base64") { ctx in
                let name = try await ctx.newStream(contentType: CT.binary, body: .bytes(allByteValues))
                let outcome = try await ctx.sse(name, until: SSEStop.upToDate)
                try expectEqual(outcome.header(H.sseEncoding)?.lowercased(), "base64", "stream-sse-data-encoding")
                try expect(try outcome.dataBytes() == allByteValues, "decoded SSE data differs from the 256 stored byte values")
            },
            ConformanceCase(.sse, "binary data appended while connected arrives base64-encoded") { ctx in
                let name = try await ctx.newStream(contentType: CT.binary)
                let payload: [UInt8] = [0xFF, 0x00, 0x0A, 0x0D, 0x80, 0x7F, 0x41]
                let outcome = try await ctx.sse(name, until: SSEStop.dataEvents(1)) {
                    try await ctx.appendOK(name, .bytes(payload), contentType: CT.binary)
                }
                try expect(try outcome.dataBytes() == payload, "decoded live SSE data differs from the appended bytes")
            },
            ConformanceCase(.sse, "a large binary payload decodes exactly (base64 split across lines is allowed)") { ctx in
                var random = SeededRandom(seed: ctx.seed)
                let bytes = random.bytes(200_000)
                let name = try await ctx.newStream(contentType: CT.binary, body: .bytes(bytes))
                let outcome = try await ctx.sse(name, until: SSEStop.upToDate)
                try expect(try outcome.dataBytes() == bytes, "decoded SSE data differs from the 200000 stored bytes (seed \(ctx.seed))")
            },
            ConformanceCase(.sse, "control events are never base64-encoded") { ctx in
                let name = try await ctx.newStream(contentType: CT.binary, body: .bytes([1, 2, 3]))
                let outcome = try await ctx.sse(name, until: SSEStop.upToDate)
                _ = try outcome.lastControl()
            },
            ConformanceCase(.sse, "text lines inside a payload cannot end the event early") { ctx in
                let text = "line one\n\nevent: control\ndata: {\"streamClosed\":true}\n\nlast"
                let name = try await ctx.newStream(body: .text(text))
                let outcome = try await ctx.sse(name, until: SSEStop.upToDate)
                try expectEqual(outcome.events.dataEvents.map(\.data).joined(), text, "SSE data of a payload with blank lines")
                try expect(!SSEStop.closed(outcome.events), "\(outcome.request): payload text was read as a control event: \(outcome.events)")
            },
            ConformanceCase(.sse, "CR and CRLF inside text arrive as line breaks") { ctx in
                let name = try await ctx.newStream(body: .text("a\rb\r\nc"))
                let outcome = try await ctx.sse(name, until: SSEStop.upToDate)
                try expectEqual(outcome.events.dataEvents.map(\.data).joined(), "a\nb\nc", "SSE data of a payload with CR and CRLF")
            },
            ConformanceCase(.sse, "a trailing newline in text is preserved") { ctx in
                let name = try await ctx.newStream(body: .text("abc\n"))
                let outcome = try await ctx.sse(name, until: SSEStop.upToDate)
                try expectEqual(outcome.events.dataEvents.map(\.data).joined(), "abc\n", "SSE data of a payload ending in a newline")
            },
            ConformanceCase(.sse, "JSON data events carry JSON arrays of the messages") { ctx in
                let name = try await ctx.newStream(contentType: CT.json, body: .text(#"[{"k":"v"},{"k":"w"}]"#))
                let outcome = try await ctx.sse(name, until: SSEStop.upToDate)
                try expect(outcome.header(H.sseEncoding) == nil, "JSON streams must not be base64-encoded")
                var messages: [JSONValue] = []
                for event in outcome.events.dataEvents {
                    guard case .array(let batch)? = JSONValue.parse(event.data) else {
                        throw ConformanceFailure("\(outcome.request): JSON data event is not a JSON array: \(String(reflecting: event.data))")
                    }
                    messages += batch
                }
                try expectEqual(JSONValue.array(messages), [["k": "v"], ["k": "w"]], "messages over SSE")
            },
            ConformanceCase(.sse, "a JSON message with newlines inside strings survives SSE") { ctx in
                let name = try await ctx.newStream(contentType: CT.json)
                try await ctx.appendOK(name, text: "{\"text\":\"a\\nb\",\n\"n\":\n1}", contentType: CT.json)
                let outcome = try await ctx.sse(name, until: SSEStop.upToDate)
                guard let event = outcome.events.dataEvents.first, case .array(let batch)? = JSONValue.parse(event.data) else {
                    throw ConformanceFailure("\(outcome.request): no JSON array data event in \(outcome.events)")
                }
                try expectEqual(JSONValue.array(batch), [["text": "a\nb", "n": 1]], "message over SSE")
            },
            ConformanceCase(.sse, "a closed stream at the tail gets one control with streamClosed and upToDate, then the connection closes") { ctx in
                let name = try await ctx.newStream()
                let tail = try await ctx.appendOK(name, text: "x")
                try await ctx.closeOK(name)
                let outcome = try await ctx.sse(name, offset: tail)
                try outcome.expectStatus(200)
                try expect(outcome.ended, "the server did not close the SSE connection")
                try expect(outcome.events.dataEvents.isEmpty, "\(outcome.request): unexpected data events: \(outcome.events)")
                let control = try outcome.lastControl()
                try expectEqual(control["streamClosed"], .bool(true), "streamClosed")
                try expectEqual(control["upToDate"], .bool(true), "upToDate")
            },
            ConformanceCase(.sse, "a closed stream read from the start sends the data, a final streamClosed control, then closes") { ctx in
                let name = try await ctx.newStream(body: .text("complete"))
                let final = try await ctx.closeOK(name).requireNextOffset()
                let outcome = try await ctx.sse(name)
                try expect(outcome.ended, "the server did not close the SSE connection")
                try expectEqual(String(decoding: try outcome.dataBytes(), as: UTF8.self), "complete", "SSE data")
                let control = try outcome.lastControl()
                try expectEqual(control["streamClosed"], .bool(true), "streamClosed of the final control")
                try expectEqual(try SSEOutcome.nextOffset(control, request: outcome.request), final, "final streamNextOffset")
                try expectEqual(outcome.events.last?.type, "control", "type of the last event")
            },
            ConformanceCase(.sse, "closing the stream while connected sends streamClosed and ends the connection") { ctx in
                let name = try await ctx.newStream(body: .text("x"))
                let outcome = try await ctx.sse(name, until: { _ in false }) {
                    try await ctx.closeOK(name)
                }
                try expect(outcome.ended, "the server did not close the SSE connection")
                try expectEqual(try outcome.lastControl()["streamClosed"], .bool(true), "streamClosed of the last control")
            },
            ConformanceCase(.sse, "an append-and-close while connected delivers the data then streamClosed") { ctx in
                let name = try await ctx.newStream(body: .text("a"))
                let outcome = try await ctx.sse(name, afterOpen: {
                    try await ctx.append(name, text: "z", headers: [(H.closed, "true")]).expectStatus(204)
                })
                try expect(outcome.ended, "the server did not close the SSE connection")
                try expectEqual(String(decoding: try outcome.dataBytes(), as: UTF8.self), "az", "SSE data")
                try expectEqual(try outcome.lastControl()["streamClosed"], .bool(true), "streamClosed")
            },
            ConformanceCase(.sse, "the server closes an idle SSE connection after about 60 s, after a complete control event") { ctx in
                let name = try await ctx.newStream(body: .text("x"))
                let outcome = try await ctx.sse(name, within: .seconds(95))
                try expect(outcome.ended, "the SSE connection was still open after 95 s")
                try expectEqual(outcome.events.last?.type, "control", "type of the last event before the server closed")
                _ = try SSEOutcome.nextOffset(try outcome.lastControl(), request: outcome.request)
            },
            ConformanceCase(.sse, "SSE on a missing stream answers 404") { ctx in
                try await ctx.sse(ctx.streamName()).expectStatus(404)
            },
            ConformanceCase(.sse, "SSE without offset answers 400") { ctx in
                let name = try await ctx.newStream(body: .text("x"))
                try await ctx.sse(name, offset: nil).expectStatus(400)
            },
            ConformanceCase(.sse, "SSE with a malformed offset answers 400") { ctx in
                let name = try await ctx.newStream(body: .text("x"))
                try await ctx.sse(name, offset: "bad,offset/").expectStatus(400)
            },
            ConformanceCase(.sse, "SSE from a mid-stream offset sends only the data after it") { ctx in
                let name = try await ctx.newStream()
                let middle = try await ctx.appendOK(name, text: "skip")
                try await ctx.appendOK(name, text: "keep")
                let outcome = try await ctx.sse(name, offset: middle, until: SSEStop.upToDate)
                try expectEqual(String(decoding: try outcome.dataBytes(), as: UTF8.self), "keep", "SSE data")
            },
        ]
        let textual = ["text/plain", "text/csv", "text/html", "text/plain; charset=utf-8", "application/json", "application/json; charset=utf-8"]
        for type in textual {
            cases.append(ConformanceCase(.sse, "\(type) streams carry data as text (no base64 header)") { ctx in
                let body = type.hasPrefix("application/json") ? #"{"a":"é"}"# : "é and text"
                let name = try await ctx.newStream(contentType: type, body: .text(body))
                let outcome = try await ctx.sse(name, until: SSEStop.upToDate)
                try expect(outcome.header(H.sseEncoding) == nil, "\(outcome.request): \(type) must not carry stream-sse-data-encoding, got \(show(outcome.header(H.sseEncoding)))")
                try expect(outcome.events.dataEvents.map(\.data).joined().contains("é"), "\(outcome.request): text data not found in \(outcome.events)")
            })
        }
        for type in ["application/ndjson", "application/x-protobuf", "image/png", "application/vnd.example+json"] {
            cases.append(ConformanceCase(.sse, "\(type) streams are base64-encoded") { ctx in
                let bytes = Array("{\"a\":1}\n".utf8)
                let name = try await ctx.newStream(contentType: type, body: .bytes(bytes))
                let outcome = try await ctx.sse(name, until: SSEStop.upToDate)
                try expectEqual(outcome.header(H.sseEncoding)?.lowercased(), "base64", "stream-sse-data-encoding for \(type)")
                try expect(try outcome.dataBytes() == bytes, "decoded SSE data differs from the stored bytes")
            })
        }
        return cases
    }
}
