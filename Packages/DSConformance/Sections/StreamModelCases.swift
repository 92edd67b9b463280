import DSProtocol

extension ConformanceCatalog {
    /// §4 Stream Model: durability of acknowledged bytes, immutability by position, ordering, content type,
    /// TTL and expiry.
    static var streamModel: [ConformanceCase] {
        [
            ConformanceCase(.streamModel, "acknowledged bytes read back exactly") { ctx in
                let name = try await ctx.newStream(contentType: CT.binary)
                try await ctx.appendOK(name, .bytes(allByteValues), contentType: CT.binary)
                try await ctx.read(name).expectStatus(200).expectBody(allByteValues)
            },
            ConformanceCase(.streamModel, "bytes at an offset never change as the stream grows") { ctx in
                let name = try await ctx.newStream()
                try await ctx.appendOK(name, text: "head-")
                let middle = try await ctx.appendOK(name, text: "body-")
                let before = try await ctx.read(name, offset: middle).expectStatus(200)
                try await ctx.appendOK(name, text: "tail")
                let fromStart = try await ctx.read(name).expectStatus(200)
                try fromStart.expectBody("head-body-tail")
                try await ctx.read(name, offset: middle).expectStatus(200).expectBody(before.text + "tail")
            },
            ConformanceCase(.streamModel, "bytes are ordered by offset across appends") { ctx in
                let name = try await ctx.newStream()
                var offsets: [String] = []
                for letter in ["a", "b", "c", "d"] { offsets.append(try await ctx.appendOK(name, text: letter)) }
                try await ctx.read(name, offset: offsets[0]).expectStatus(200).expectBody("bcd")
                try await ctx.read(name, offset: offsets[1]).expectStatus(200).expectBody("cd")
                try await ctx.read(name, offset: offsets[2]).expectStatus(200).expectBody("d")
                try await ctx.read(name, offset: offsets[3]).expectStatus(200).expectBody("")
            },
            ConformanceCase(.streamModel, "reads return the content type set at creation") { ctx in
                let name = try await ctx.newStream(contentType: "application/x-conformance")
                try await ctx.appendOK(name, text: "x", contentType: "application/x-conformance")
                try await ctx.read(name).expectStatus(200).expectHeader(H.contentType, "application/x-conformance", ignoringCase: true)
            },
            ConformanceCase(.streamModel, "the content type of an empty read is the stream's") { ctx in
                let name = try await ctx.newStream(contentType: "text/csv")
                try await ctx.read(name).expectStatus(200).expectHeader(H.contentType, "text/csv", ignoringCase: true)
            },
            ConformanceCase(.streamModel, "a stream with Stream-TTL expires after being idle (404)") { ctx in
                let name = try await ctx.newStream(headers: [(H.ttl, "1")])
                try await ctx.waitForHeadStatus(name, 404, within: .seconds(15))
            },
            ConformanceCase(.streamModel, "an expired TTL stream answers 404 to GET and POST") { ctx in
                let name = try await ctx.newStream(headers: [(H.ttl, "1")])
                try await ctx.waitForHeadStatus(name, 404, within: .seconds(15))
                try await ctx.read(name).expectStatus(404)
                try await ctx.append(name, text: "x").expectStatus(404)
            },
            ConformanceCase(.streamModel, "a stream with Stream-Expires-At expires at that time") { ctx in
                let name = try await ctx.newStream(headers: [(H.expiresAt, rfc3339(secondsFromNow: 2))])
                try await ctx.waitForHeadStatus(name, 404, within: .seconds(15))
                try await ctx.read(name).expectStatus(404)
            },
            ConformanceCase(.streamModel, "reads reset the TTL countdown (sliding window)") { ctx in
                // Reads every 0.5 s for 7.5 s keep a 5 s window alive although more than 5 s pass.
                let name = try await ctx.expectTouchesKeepTTLAlive(window: 5, status: 200, what: "read") { name, _ in
                    try await ctx.read(name)
                }
                try await ctx.waitForHeadStatus(name, 404, within: .seconds(30))
            },
            ConformanceCase(.streamModel, "appends reset the TTL countdown (sliding window)") { ctx in
                let name = try await ctx.expectTouchesKeepTTLAlive(window: 5, status: 204, what: "append") { name, index in
                    try await ctx.append(name, text: "\(index)")
                }
                try await ctx.waitForHeadStatus(name, 404, within: .seconds(30))
            },
            ConformanceCase(.streamModel, "streams are independent: one's closure does not affect another") { ctx in
                let first = try await ctx.newStream("a")
                let second = try await ctx.newStream("b")
                try await ctx.closeOK(first)
                try await ctx.head(second).expectStatus(200).expectOpen()
                try await ctx.appendOK(second, text: "still open")
            },
        ]
    }

    /// §4.1 Stream Closure: the `Stream-Closed` header value rules, durability and monotonicity of closure.
    static var closure: [ConformanceCase] {
        var cases: [ConformanceCase] = [
            ConformanceCase(.closure, "closure is monotonic: an append after close is rejected and the stream stays closed") { ctx in
                let name = try await ctx.newStream()
                try await ctx.closeOK(name)
                try await ctx.append(name, text: "x").expectStatus(409).expectClosed()
                try await ctx.head(name).expectStatus(200).expectClosed()
            },
            ConformanceCase(.closure, "closure is observable by readers at the final offset") { ctx in
                let name = try await ctx.newStream()
                let tail = try await ctx.appendOK(name, text: "all")
                try await ctx.read(name, offset: tail).expectStatus(200).expectOpen()
                try await ctx.closeOK(name)
                let eof = try await ctx.read(name, offset: tail).expectStatus(200)
                try eof.expectBody("")
                try eof.expectClosed()
            },
            ConformanceCase(.closure, "Stream-Closed header name is case-insensitive") { ctx in
                let name = try await ctx.newStream()
                try await ctx.append(name, nil, contentType: nil, headers: [("stream-closed", "true")]).expectStatus(204).expectClosed()
            },
            ConformanceCase(.closure, "Stream-Closed: false with an empty body is an empty append (400)") { ctx in
                let name = try await ctx.newStream()
                try await ctx.append(name, .bytes([]), headers: [(H.closed, "false")]).expectStatus(400)
                try await ctx.head(name).expectStatus(200).expectOpen()
            },
            ConformanceCase(.closure, "PUT with Stream-Closed: false creates an open stream") { ctx in
                let name = ctx.streamName()
                try await ctx.create(name, headers: [(H.closed, "false")]).expectStatus(201).expectOpen()
                try await ctx.head(name).expectStatus(200).expectOpen()
            },
            ConformanceCase(.closure, "PUT with Stream-Closed: yes creates an open stream") { ctx in
                let name = ctx.streamName()
                try await ctx.create(name, headers: [(H.closed, "yes")]).expectStatus(201).expectOpen()
                try await ctx.appendOK(name, text: "open")
            },
            ConformanceCase(.closure, "PUT with Stream-Closed: TRUE creates a closed stream") { ctx in
                let name = ctx.streamName()
                try await ctx.create(name, headers: [(H.closed, "TRUE")]).expectStatus(201).expectClosed()
                try await ctx.head(name).expectStatus(200).expectClosed()
            },
            ConformanceCase(.closure, "idempotent PUT of an open stream ignores Stream-Closed: 1 (200)") { ctx in
                let name = try await ctx.newStream()
                try await ctx.create(name, headers: [(H.closed, "1")]).expectStatus(200)
                try await ctx.head(name).expectStatus(200).expectOpen()
            },
            ConformanceCase(.closure, "closure survives further reads and HEADs (durable state)") { ctx in
                let name = try await ctx.newStream()
                try await ctx.appendOK(name, text: "x")
                try await ctx.closeOK(name)
                for _ in 0..<3 {
                    try await ctx.read(name).expectStatus(200).expectClosed()
                    try await ctx.head(name).expectStatus(200).expectClosed()
                }
            },
            ConformanceCase(.closure, "a final append and close is atomic: readers never see the data without closure") { ctx in
                let name = try await ctx.newStream()
                let tail = try await ctx.appendOK(name, text: "a")
                try await ctx.append(name, text: "b", headers: [(H.closed, "true")]).expectStatus(204)
                let read = try await ctx.read(name, offset: tail).expectStatus(200)
                try read.expectBody("b")
                try read.expectClosed()
            },
        ]
        for value in ["true", "TRUE", "True", "tRuE"] {
            cases.append(ConformanceCase(.closure, "Stream-Closed: \(value) closes the stream (case-insensitive)") { ctx in
                let name = try await ctx.newStream()
                try await ctx.append(name, nil, contentType: nil, headers: [(H.closed, value)]).expectStatus(204).expectClosed()
                try await ctx.head(name).expectStatus(200).expectClosed()
            })
            cases.append(ConformanceCase(.closure, "Stream-Closed: \(value) with a body appends and closes") { ctx in
                let name = try await ctx.newStream()
                try await ctx.append(name, text: "end", headers: [(H.closed, value)]).expectStatus(204).expectClosed()
                let read = try await ctx.read(name).expectStatus(200)
                try read.expectBody("end")
                try read.expectClosed()
            })
        }
        for value in ["false", "yes", "1", "", "no", "0", "truee", "on", "closed"] {
            cases.append(ConformanceCase(.closure, "Stream-Closed: \(show(value)) with a body is a plain append (stream stays open, no error)") { ctx in
                let name = try await ctx.newStream()
                try await ctx.append(name, text: "data", headers: [(H.closed, value)]).expectStatus(204).expectOpen()
                try await ctx.head(name).expectStatus(200).expectOpen("Stream-Closed: \(show(value)) must be ignored")
                try await ctx.appendOK(name, text: "more")
            })
        }
        return cases
    }
}
