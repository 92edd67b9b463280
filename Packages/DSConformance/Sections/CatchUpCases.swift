import DSProtocol

extension ConformanceCatalog {
    /// §5.6 Read Stream — Catch-up.
    static var catchUp: [ConformanceCase] {
        var cases: [ConformanceCase] = [
            ConformanceCase(.catchUp, "GET without offset reads from the start") { ctx in
                let name = try await ctx.newStream(body: .text("start-"))
                try await ctx.appendOK(name, text: "end")
                try await ctx.read(name, offset: nil).expectStatus(200).expectBody("start-end")
            },
            ConformanceCase(.catchUp, "GET from a returned offset reads the rest") { ctx in
                let name = try await ctx.newStream()
                let after = try await ctx.appendOK(name, text: "first|")
                try await ctx.appendOK(name, text: "second")
                try await ctx.read(name, offset: after).expectStatus(200).expectBody("second")
            },
            ConformanceCase(.catchUp, "a read carries Stream-Next-Offset equal to the tail when it returns everything") { ctx in
                let name = try await ctx.newStream()
                let tail = try await ctx.appendOK(name, text: "data")
                try expectEqual(try await ctx.read(name).expectStatus(200).requireNextOffset(), tail, "Stream-Next-Offset")
            },
            ConformanceCase(.catchUp, "a read that returns everything carries Stream-Up-To-Date: true") { ctx in
                let name = try await ctx.newStream()
                try await ctx.appendOK(name, text: "data")
                try await ctx.read(name).expectStatus(200).expectUpToDate()
            },
            ConformanceCase(.catchUp, "reading an empty stream answers 200, empty, up to date") { ctx in
                let name = try await ctx.newStream()
                let read = try await ctx.read(name).expectStatus(200)
                try read.expectBody("")
                try read.expectUpToDate()
                _ = try read.requireNextOffset()
            },
            ConformanceCase(.catchUp, "reading at the tail answers 200, empty, with Stream-Next-Offset equal to the offset") { ctx in
                let name = try await ctx.newStream()
                let tail = try await ctx.appendOK(name, text: "data")
                let read = try await ctx.read(name, offset: tail).expectStatus(200)
                try read.expectBody("")
                try expectEqual(try read.requireNextOffset(), tail, "Stream-Next-Offset at the tail")
                try read.expectUpToDate()
            },
            ConformanceCase(.catchUp, "reading at the tail of an open stream has no Stream-Closed") { ctx in
                let name = try await ctx.newStream()
                let tail = try await ctx.appendOK(name, text: "data")
                try await ctx.read(name, offset: tail).expectStatus(200).expectOpen()
            },
            ConformanceCase(.catchUp, "reading at the tail of a closed stream has Stream-Closed: true (EOF)") { ctx in
                let name = try await ctx.newStream()
                let tail = try await ctx.appendOK(name, text: "data")
                try await ctx.closeOK(name)
                let read = try await ctx.read(name, offset: tail).expectStatus(200)
                try read.expectBody("")
                try read.expectClosed()
            },
            ConformanceCase(.catchUp, "the final chunk of a closed stream carries Stream-Closed: true") { ctx in
                let name = try await ctx.newStream()
                let middle = try await ctx.appendOK(name, text: "a")
                try await ctx.appendOK(name, text: "b")
                try await ctx.closeOK(name)
                let read = try await ctx.read(name, offset: middle).expectStatus(200)
                try read.expectBody("b")
                try read.expectClosed()
            },
            ConformanceCase(.catchUp, "closure after the final chunk is found by reading the next offset") { ctx in
                let name = try await ctx.newStream()
                try await ctx.appendOK(name, text: "data")
                let first = try await ctx.read(name).expectStatus(200)
                try first.expectOpen()
                try await ctx.closeOK(name)
                let eof = try await ctx.read(name, offset: try first.requireNextOffset()).expectStatus(200)
                try eof.expectBody("")
                try eof.expectClosed()
            },
            ConformanceCase(.catchUp, "Stream-Up-To-Date alone is not EOF: more data may follow") { ctx in
                let name = try await ctx.newStream()
                let tail = try await ctx.appendOK(name, text: "a")
                let read = try await ctx.read(name).expectStatus(200)
                try read.expectUpToDate()
                try read.expectOpen()
                try await ctx.appendOK(name, text: "b")
                try await ctx.read(name, offset: tail).expectStatus(200).expectBody("b")
            },
            ConformanceCase(.catchUp, "reading a missing stream answers 404") { ctx in
                try await ctx.read(ctx.streamName()).expectStatus(404)
            },
            ConformanceCase(.catchUp, "a read carries the stream's Content-Type") { ctx in
                let name = try await ctx.newStream(contentType: CT.binary)
                try await ctx.appendOK(name, .bytes([0, 1]), contentType: CT.binary)
                try await ctx.read(name).expectStatus(200).expectHeader(H.contentType, CT.binary, ignoringCase: true)
            },
            ConformanceCase(.catchUp, "a read carries an ETag") { ctx in
                let name = try await ctx.newStream(body: .text("x"))
                _ = try await ctx.read(name).expectStatus(200).require("ETag")
            },
            ConformanceCase(.catchUp, "offsets stay valid: an old offset reads the same suffix later") { ctx in
                let name = try await ctx.newStream()
                let old = try await ctx.appendOK(name, text: "a")
                for index in 0..<20 { try await ctx.appendOK(name, text: "\(index % 10)") }
                try await ctx.read(name, offset: old).expectStatus(200).expectBody("01234567890123456789")
            },
            ConformanceCase(.catchUp, "chunked reading of a large stream reconstructs every byte") { ctx in
                var random = SeededRandom(seed: ctx.seed)
                let name = try await ctx.newStream(contentType: CT.binary)
                var expected: [UInt8] = []
                for _ in 0..<6 {
                    let piece = random.bytes(700 * 1024)
                    expected += piece
                    try await ctx.appendOK(name, .bytes(piece), contentType: CT.binary)
                }
                let (bytes, last) = try await ctx.readAll(name)
                try expect(bytes == expected, "chunked read returned \(bytes.count) bytes, expected the \(expected.count) appended (seed \(ctx.seed))")
                try last.expectUpToDate()
            },
            ConformanceCase(.catchUp, "partial chunks of a large closed stream carry neither Stream-Closed nor Stream-Up-To-Date") { ctx in
                var random = SeededRandom(seed: ctx.seed)
                let name = try await ctx.newStream(contentType: CT.binary)
                for _ in 0..<5 { try await ctx.appendOK(name, .bytes(random.bytes(1024 * 1024)), contentType: CT.binary) }
                let final = try await ctx.closeOK(name).requireNextOffset()
                var offset = "-1"
                for _ in 0..<1000 {
                    let reply = try await ctx.read(name, offset: offset).expectStatus(200)
                    let next = try reply.requireNextOffset()
                    if next == final {
                        try reply.expectClosed("this response reaches the final offset")
                        return
                    }
                    try reply.expectOpen("more data follows this chunk")
                    try reply.expectNoHeader(H.upToDate, because: "more data follows this chunk")
                    try expect(!reply.body.isEmpty, "\(reply.request): empty partial chunk before the final offset")
                    offset = next
                }
                throw ConformanceFailure("never reached the final offset \(show(final))")
            },
            ConformanceCase(.catchUp, "a read from the start of a stream created with a body returns that body") { ctx in
                let name = try await ctx.newStream(contentType: CT.binary, body: .bytes([9, 8, 7]))
                try await ctx.read(name, offset: "-1").expectStatus(200).expectBody([9, 8, 7])
            },
            ConformanceCase(.catchUp, "catch-up reads do not wait at the tail") { ctx in
                let name = try await ctx.newStream()
                let tail = try await ctx.appendOK(name, text: "x")
                // A catch-up read at the tail answers at once even with a short client limit.
                try await ctx.read(name, offset: tail, limit: .seconds(10)).expectStatus(200).expectBody("")
            },
            ConformanceCase(.catchUp, "an unknown live mode answers 400") { ctx in
                let name = try await ctx.newStream()
                try await ctx.read(name, offset: "-1", live: "bogus").expectStatus(400)
            },
        ]
        let malformed: [(String, String)] = [
            ("a/b", "a slash"), ("a,b", "a comma"), ("a=b", "an equals sign"), ("a&b", "an ampersand"),
            ("a?b", "a question mark"), ("", "an empty value"),
        ]
        for (offset, what) in malformed {
            cases.append(ConformanceCase(.catchUp, "an offset with \(what) (\(show(offset))) is malformed: 400") { ctx in
                let name = try await ctx.newStream(body: .text("x"))
                try await ctx.read(name, offset: offset).expectStatus(400)
            })
        }
        return cases
    }
}
