import DSProtocol
import Synchronization

extension ConformanceCatalog {
    /// §5.7 Read Stream — Live (Long-poll).
    static var longPoll: [ConformanceCase] {
        [
            ConformanceCase(.longPoll, "data already past the offset is returned at once with 200") { ctx in
                let name = try await ctx.newStream()
                try await ctx.appendOK(name, text: "ready")
                let reply = try await ctx.read(name, offset: "-1", live: H.longPoll).expectStatus(200)
                try reply.expectBody("ready")
            },
            ConformanceCase(.longPoll, "a waiting long-poll returns data appended after it started") { ctx in
                let name = try await ctx.newStream()
                let tail = try await ctx.appendOK(name, text: "old")
                async let poll = ctx.longPollForData(name, offset: tail)
                try await ctx.appendOK(name, text: "new")
                let reply = try await poll.expectStatus(200)
                try reply.expectBody("new")
            },
            ConformanceCase(.longPoll, "200 carries Stream-Cursor, Stream-Next-Offset and Content-Type") { ctx in
                let name = try await ctx.newStream(contentType: "text/csv")
                try await ctx.appendOK(name, text: "a,b", contentType: "text/csv")
                let reply = try await ctx.read(name, offset: "-1", live: H.longPoll).expectStatus(200)
                _ = try reply.require(H.cursor)
                _ = try reply.requireNextOffset()
                try reply.expectHeader(H.contentType, "text/csv", ignoringCase: true)
            },
            ConformanceCase(.longPoll, "the next offset after a long-poll continues without gaps or repeats") { ctx in
                let name = try await ctx.newStream()
                var offset = try await ctx.appendOK(name, text: "0")
                var received = ""
                for index in 1...3 {
                    let from = offset
                    async let poll = ctx.longPollForData(name, offset: from)
                    try await ctx.appendOK(name, text: "\(index)")
                    let reply = try await poll.expectStatus(200)
                    received += reply.text
                    offset = try reply.requireNextOffset()
                }
                try expectEqual(received, "123", "data received across three long-polls")
            },
            ConformanceCase(.longPoll, "a timed-out long-poll answers 204 with Stream-Next-Offset, Stream-Up-To-Date and Stream-Cursor") { ctx in
                let name = try await ctx.newStream()
                let tail = try await ctx.appendOK(name, text: "x")
                let reply = try await ctx.read(name, offset: tail, live: H.longPoll).expectStatus(204)
                try expectEqual(try reply.requireNextOffset(), tail, "Stream-Next-Offset of the 204")
                try reply.expectUpToDate()
                _ = try reply.require(H.cursor)
                try reply.expectOpen()
                try reply.expectBody("")
            },
            ConformanceCase(.longPoll, "a long-poll at the tail of a closed stream answers 204 with Stream-Closed and Stream-Up-To-Date") { ctx in
                let name = try await ctx.newStream()
                let tail = try await ctx.appendOK(name, text: "x")
                try await ctx.closeOK(name)
                let reply = try await ctx.read(name, offset: tail, live: H.longPoll).expectStatus(204)
                try reply.expectClosed()
                try reply.expectUpToDate()
                try expectEqual(try reply.requireNextOffset(), tail, "Stream-Next-Offset")
            },
            ConformanceCase(.longPoll, "a long-poll at the tail of a closed stream does not wait for the timeout") { ctx in
                // Race it against a long-poll on an open stream, started first, that can only end by the server's
                // timeout (or by data appended once the closed poll has returned). A server that waited for the
                // timeout on the closed stream would let the open poll time out first, every time; a prompt server
                // can only lose the race when the machine stalls for a whole timeout, so up to three attempts run.
                var lastStatus = 0
                for _ in 0..<3 {
                    let open = try await ctx.newStream("open")
                    let openTail = try await ctx.appendOK(open, text: "x")
                    let closed = try await ctx.newStream("closed")
                    let closedTail = try await ctx.appendOK(closed, text: "x")
                    try await ctx.closeOK(closed)
                    let openDone = Mutex(false)
                    async let openPoll: HTTPReply = {
                        let reply = try await ctx.read(open, offset: openTail, live: H.longPoll)
                        openDone.withLock { $0 = true }
                        return reply
                    }()
                    try await ctx.read(closed, offset: closedTail, live: H.longPoll).expectStatus(204).expectClosed()
                    let timedOutFirst = openDone.withLock { $0 }
                    try await ctx.appendOK(open, text: "release")
                    let openReply = try await openPoll
                    if !timedOutFirst && openReply.status == 200 { return }
                    lastStatus = openReply.status
                }
                throw ConformanceFailure(
                    "in 3 attempts the closed-stream long-poll returned only after a concurrent open-stream long-poll had timed out (\(lastStatus)): it waits for the timeout"
                )
            },
            ConformanceCase(.longPoll, "closing the stream ends a waiting long-poll with Stream-Closed") { ctx in
                let name = try await ctx.newStream()
                let tail = try await ctx.appendOK(name, text: "x")
                async let poll = ctx.longPollForData(name, offset: tail)
                try await ctx.closeOK(name)
                let reply = try await poll.expectStatus(204, because: "long-poll EOF is 204 with Stream-Closed")
                try reply.expectClosed()
                try reply.expectBody("")
            },
            ConformanceCase(.longPoll, "an append-and-close wakes a waiting long-poll with the final data") { ctx in
                let name = try await ctx.newStream()
                let tail = try await ctx.appendOK(name, text: "x")
                async let poll = ctx.longPollForData(name, offset: tail)
                try await ctx.append(name, text: "final", headers: [(H.closed, "true")]).expectStatus(204)
                let reply = try await poll.expectStatus(200)
                try reply.expectBody("final")
                try reply.expectClosed()
            },
            ConformanceCase(.longPoll, "a long-poll from mid-stream of a closed stream returns the rest with Stream-Closed") { ctx in
                let name = try await ctx.newStream()
                let middle = try await ctx.appendOK(name, text: "a")
                try await ctx.appendOK(name, text: "b")
                try await ctx.closeOK(name)
                let reply = try await ctx.read(name, offset: middle, live: H.longPoll).expectStatus(200)
                try reply.expectBody("b")
                try reply.expectClosed()
            },
            ConformanceCase(.longPoll, "several waiting long-polls all receive the same append") { ctx in
                let name = try await ctx.newStream()
                let tail = try await ctx.appendOK(name, text: "x")
                async let first = ctx.longPollForData(name, offset: tail)
                async let second = ctx.longPollForData(name, offset: tail)
                async let third = ctx.longPollForData(name, offset: tail)
                try await ctx.appendOK(name, text: "shared")
                for reply in try await [first, second, third] {
                    try reply.expectStatus(200)
                    try reply.expectBody("shared")
                }
            },
            ConformanceCase(.longPoll, "a long-poll on a missing stream answers 404") { ctx in
                try await ctx.read(ctx.streamName(), offset: "-1", live: H.longPoll).expectStatus(404)
            },
            ConformanceCase(.longPoll, "a long-poll without offset answers 400") { ctx in
                let name = try await ctx.newStream(body: .text("x"))
                try await ctx.read(name, offset: nil, live: H.longPoll).expectStatus(400)
            },
            ConformanceCase(.longPoll, "a long-poll with a malformed offset answers 400") { ctx in
                let name = try await ctx.newStream(body: .text("x"))
                try await ctx.read(name, offset: "not/an,offset", live: H.longPoll).expectStatus(400)
            },
            ConformanceCase(.longPoll, "a long-poll returning data carries Stream-Up-To-Date when it returned everything") { ctx in
                let name = try await ctx.newStream()
                try await ctx.appendOK(name, text: "x")
                try await ctx.read(name, offset: "-1", live: H.longPoll).expectStatus(200).expectUpToDate()
            },
            ConformanceCase(.longPoll, "a JSON long-poll returns the new messages as an array") { ctx in
                let name = try await ctx.newStream(contentType: CT.json)
                let tail = try await ctx.appendOK(name, text: #"{"n":0}"#, contentType: CT.json)
                async let poll = ctx.longPollForData(name, offset: tail)
                try await ctx.appendOK(name, text: #"[{"n":1},{"n":2}]"#, contentType: CT.json)
                let reply = try await poll.expectStatus(200)
                let value = try reply.json()
                guard case .array(let messages) = value, let first = messages.first else {
                    throw ConformanceFailure("long-poll body is not a non-empty JSON array: \(value)")
                }
                try expectEqual(first, ["n": 1], "first new message")
            },
            ConformanceCase(.longPoll, "a 204 from a timed-out long-poll has a Stream-Cursor usable for the next poll") { ctx in
                let name = try await ctx.newStream()
                let tail = try await ctx.appendOK(name, text: "x")
                let timeout = try await ctx.read(name, offset: tail, live: H.longPoll).expectStatus(204)
                let cursor = try timeout.require(H.cursor)
                async let poll = ctx.longPollForData(name, offset: try timeout.requireNextOffset(), cursor: cursor)
                try await ctx.appendOK(name, text: "y")
                try await poll.expectStatus(200).expectBody("y")
            },
        ]
    }
}
