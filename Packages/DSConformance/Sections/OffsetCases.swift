import DSProtocol
import Synchronization

extension ConformanceCatalog {
    /// §8 Offsets: opacity rules the server must keep, strict monotonicity, and the `-1` / `now` sentinels in
    /// every read mode.
    static var offsets: [ConformanceCase] {
        [
            ConformanceCase(.offsets, "offsets never contain , & = ? or / and stay under 256 characters") { ctx in
                let name = ctx.streamName()
                var seen = [try await ctx.createStream(name).requireNextOffset()]
                for index in 0..<5 { seen.append(try await ctx.appendOK(name, text: "piece \(index)")) }
                seen.append(try await ctx.tail(name))
                seen.append(try await ctx.read(name).expectStatus(200).requireNextOffset())
                seen.append(try await ctx.read(name, offset: "now").expectStatus(200).requireNextOffset())
                let outcome = try await ctx.sse(name, until: SSEStop.upToDate)
                seen += try outcome.controls().map { try SSEOutcome.nextOffset($0, request: outcome.request) }
                for offset in seen {
                    try expect(!offset.contains(where: { ",&=?/".contains($0) }), "offset \(show(offset)) contains a reserved character")
                    try expect(offset.utf8.count < 256, "offset \(show(offset)) is \(offset.utf8.count) characters long")
                    try expect(!offset.isEmpty, "an empty offset was returned")
                }
            },
            ConformanceCase(.offsets, "servers never mint the sentinels -1 or now as offsets") { ctx in
                let name = ctx.streamName()
                var seen = [try await ctx.createStream(name).requireNextOffset()]
                seen.append(try await ctx.read(name).expectStatus(200).requireNextOffset())
                seen.append(try await ctx.read(name, offset: "now").expectStatus(200).requireNextOffset())
                seen.append(try await ctx.appendOK(name, text: "x"))
                seen.append(try await ctx.tail(name))
                let outcome = try await ctx.sse(name, offset: "now", until: SSEStop.anyControl)
                seen += try outcome.controls().map { try SSEOutcome.nextOffset($0, request: outcome.request) }
                for offset in seen {
                    try expect(offset != "-1" && offset != "now", "the server returned the sentinel \(show(offset)) as an offset")
                }
            },
            ConformanceCase(.offsets, "offsets strictly increase with every append") { ctx in
                let name = ctx.streamName()
                var previous = try await ctx.createStream(name).requireNextOffset()
                for index in 0..<20 {
                    let next = try await ctx.appendOK(name, text: String(repeating: "x", count: index % 3 + 1))
                    try expect(next > previous, "offset \(show(next)) after append \(index) is not greater than \(show(previous))")
                    previous = next
                }
            },
            ConformanceCase(.offsets, "distinct positions have distinct offsets") { ctx in
                let name = try await ctx.newStream()
                var offsets: Set<String> = []
                for index in 0..<10 {
                    let offset = try await ctx.appendOK(name, text: "\(index)")
                    try expect(offsets.insert(offset).inserted, "offset \(show(offset)) was returned for two positions")
                }
            },
            ConformanceCase(.offsets, "an empty stream's offset sorts before the first append's") { ctx in
                let name = ctx.streamName()
                let start = try await ctx.createStream(name).requireNextOffset()
                let first = try await ctx.appendOK(name, text: "x")
                try expect(start < first, "start offset \(show(start)) does not sort before \(show(first))")
            },
            ConformanceCase(.offsets, "every returned offset reads exactly the suffix after it") { ctx in
                let name = ctx.streamName()
                var offsets = [try await ctx.createStream(name).requireNextOffset()]
                let pieces = ["alpha", "-", "beta", "--", "gamma"]
                for piece in pieces { offsets.append(try await ctx.appendOK(name, text: piece)) }
                for (index, offset) in offsets.enumerated() {
                    try await ctx.read(name, offset: offset).expectStatus(200).expectBody(pieces[index...].joined())
                }
            },
            ConformanceCase(.offsets, "offset=-1 reads from the beginning, like no offset") { ctx in
                let name = try await ctx.newStream(body: .text("from the start"))
                let explicit = try await ctx.read(name, offset: "-1").expectStatus(200)
                let omitted = try await ctx.read(name, offset: nil).expectStatus(200)
                try explicit.expectBody("from the start")
                try expectEqual(explicit.body, omitted.body, "body of offset=-1 vs no offset")
                try expectEqual(try explicit.requireNextOffset(), try omitted.requireNextOffset(), "Stream-Next-Offset of offset=-1 vs no offset")
            },
            ConformanceCase(.offsets, "offset=-1 with long-poll returns existing data at once") { ctx in
                let name = try await ctx.newStream(body: .text("existing"))
                try await ctx.read(name, offset: "-1", live: H.longPoll).expectStatus(200).expectBody("existing")
            },
            ConformanceCase(.offsets, "offset=-1 with SSE streams from the beginning") { ctx in
                let name = try await ctx.newStream(body: .text("existing"))
                let outcome = try await ctx.sse(name, offset: "-1", until: SSEStop.upToDate)
                try expectEqual(String(decoding: try outcome.dataBytes(), as: UTF8.self), "existing", "SSE data from -1")
            },
            ConformanceCase(.offsets, "offset=now catch-up: 200, empty body, tail offset, up to date") { ctx in
                let name = try await ctx.newStream(body: .text("history"))
                let tail = try await ctx.appendOK(name, text: " more")
                let reply = try await ctx.read(name, offset: "now").expectStatus(200)
                try reply.expectBody("")
                try expectEqual(try reply.requireNextOffset(), tail, "Stream-Next-Offset of offset=now")
                try reply.expectUpToDate()
            },
            ConformanceCase(.offsets, "offset=now catch-up on a JSON stream returns []") { ctx in
                let name = try await ctx.newStream(contentType: CT.json, body: .text(#"[{"a":1},{"b":2}]"#))
                let reply = try await ctx.read(name, offset: "now").expectStatus(200)
                try reply.expectJSONMessages([])
                try reply.expectUpToDate()
            },
            ConformanceCase(.offsets, "offset=now catch-up should not be cached (Cache-Control: no-store)") { ctx in
                let name = try await ctx.newStream(body: .text("x"))
                let value = try await ctx.read(name, offset: "now").expectStatus(200).require(H.cacheControl)
                try expect(value.lowercased().contains("no-store"), "Cache-Control of offset=now should be no-store, got \(show(value))")
            },
            ConformanceCase(.offsets, "offset=now's Stream-Next-Offset reads only later data") { ctx in
                let name = try await ctx.newStream(body: .text("old"))
                let now = try await ctx.read(name, offset: "now").expectStatus(200).requireNextOffset()
                try await ctx.appendOK(name, text: "new")
                try await ctx.read(name, offset: now).expectStatus(200).expectBody("new")
            },
            ConformanceCase(.offsets, "offset=now long-poll waits (no initial empty 200) and times out with 204 at the tail") { ctx in
                let name = try await ctx.newStream(body: .text("history"))
                let tail = try await ctx.tail(name)
                let reply = try await ctx.read(name, offset: "now", live: H.longPoll)
                try reply.expectStatus(204, because: "nothing was appended, so the server must wait and time out")
                try reply.expectUpToDate()
                try expectEqual(try reply.requireNextOffset(), tail, "Stream-Next-Offset of the 204")
            },
            ConformanceCase(.offsets, "offset=now long-poll returns data appended while waiting, without history") { ctx in
                let name = try await ctx.newStream(body: .text("history"))
                // `now` is resolved when the request reaches the server, which the client cannot observe, so the
                // writer keeps appending small pieces until the poll has returned some.
                let finished = Mutex(false)
                async let poll: HTTPReply = {
                    defer { finished.withLock { $0 = true } }
                    let reply = try await ctx.read(name, offset: "now", live: H.longPoll)
                    guard reply.status == 204, !reply.isClosed else { return reply }
                    return try await ctx.longPollForData(name, offset: try reply.requireNextOffset(), cursor: reply.cursor)
                }()
                for _ in 0..<600 where !finished.withLock({ $0 }) {
                    try await ctx.appendOK(name, text: "fresh|")
                    try await Task.sleep(for: .milliseconds(100))
                }
                let reply = try await poll.expectStatus(200)
                let pieces = reply.text.split(separator: "|", omittingEmptySubsequences: false)
                try expect(
                    !reply.body.isEmpty && reply.text.hasSuffix("|") && pieces.dropLast().allSatisfy { $0 == "fresh" },
                    "\(reply.request): expected only newly appended pieces, got \(preview(reply.body))"
                )
            },
            ConformanceCase(.offsets, "offset=now with SSE: first control has the tail and upToDate, no history") { ctx in
                let name = try await ctx.newStream(body: .text("history"))
                let tail = try await ctx.tail(name)
                let outcome = try await ctx.sse(name, offset: "now", until: SSEStop.anyControl)
                try expect(outcome.events.dataEvents.isEmpty, "\(outcome.request): history was sent: \(outcome.events)")
                let control = try outcome.lastControl()
                try expectEqual(try SSEOutcome.nextOffset(control, request: outcome.request), tail, "streamNextOffset")
                try expectEqual(control["upToDate"], .bool(true), "upToDate")
            },
            ConformanceCase(.offsets, "offset=now with SSE delivers data appended afterwards") { ctx in
                let name = try await ctx.newStream(body: .text("history"))
                let outcome = try await ctx.sse(name, offset: "now", until: SSEStop.text("future")) {
                    try await ctx.appendOK(name, text: "future")
                }
                try expectEqual(String(decoding: try outcome.dataBytes(), as: UTF8.self), "future", "SSE data after offset=now")
            },
            ConformanceCase(.offsets, "offset=now on a closed stream, catch-up: 200, empty, Stream-Closed, up to date, final offset") { ctx in
                let name = try await ctx.newStream(body: .text("done"))
                let final = try await ctx.closeOK(name).requireNextOffset()
                let reply = try await ctx.read(name, offset: "now").expectStatus(200)
                try reply.expectBody("")
                try reply.expectClosed()
                try reply.expectUpToDate()
                try expectEqual(try reply.requireNextOffset(), final, "Stream-Next-Offset")
            },
            ConformanceCase(.offsets, "offset=now on a closed JSON stream, catch-up: [] with Stream-Closed") { ctx in
                let name = try await ctx.newStream(contentType: CT.json, body: .text(#"{"a":1}"#))
                try await ctx.closeOK(name)
                let reply = try await ctx.read(name, offset: "now").expectStatus(200)
                try reply.expectJSONMessages([])
                try reply.expectClosed()
            },
            ConformanceCase(.offsets, "offset=now on a closed stream, long-poll: immediate 204 with Stream-Closed and up to date") { ctx in
                let name = try await ctx.newStream(body: .text("done"))
                let final = try await ctx.closeOK(name).requireNextOffset()
                let reply = try await ctx.read(name, offset: "now", live: H.longPoll).expectStatus(204)
                try reply.expectClosed()
                try reply.expectUpToDate()
                try expectEqual(try reply.requireNextOffset(), final, "Stream-Next-Offset")
            },
            ConformanceCase(.offsets, "offset=now on a closed stream, SSE: one control with streamClosed and upToDate, then close") { ctx in
                let name = try await ctx.newStream(body: .text("done"))
                let final = try await ctx.closeOK(name).requireNextOffset()
                let outcome = try await ctx.sse(name, offset: "now")
                try expect(outcome.ended, "the server did not close the SSE connection")
                try expect(outcome.events.dataEvents.isEmpty, "\(outcome.request): data sent for offset=now: \(outcome.events)")
                let control = try outcome.lastControl()
                try expectEqual(control["streamClosed"], .bool(true), "streamClosed")
                try expectEqual(control["upToDate"], .bool(true), "upToDate")
                try expectEqual(try SSEOutcome.nextOffset(control, request: outcome.request), final, "streamNextOffset")
            },
            ConformanceCase(.offsets, "offset=-1 on an empty stream: 200, empty, up to date") { ctx in
                let name = try await ctx.newStream()
                let reply = try await ctx.read(name, offset: "-1").expectStatus(200)
                try reply.expectBody("")
                try reply.expectUpToDate()
            },
            ConformanceCase(.offsets, "offsets compare across reads and appends consistently") { ctx in
                let name = try await ctx.newStream()
                let first = try await ctx.appendOK(name, text: "a")
                let viaRead = try await ctx.read(name).expectStatus(200).requireNextOffset()
                try expectEqual(viaRead, first, "tail via read vs via append")
                let second = try await ctx.appendOK(name, text: "b")
                try expect(second > viaRead, "offset after the second append does not sort after the first tail")
            },
        ]
    }
}
