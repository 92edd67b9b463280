import DSProtocol

extension ConformanceCatalog {
    /// §5.2 Append to Stream (without idempotent producers, which §5.2.1 covers).
    static var append: [ConformanceCase] {
        var cases: [ConformanceCase] = [
            ConformanceCase(.append, "POST with a body answers 204 No Content") { ctx in
                let name = try await ctx.newStream()
                try await ctx.append(name, text: "hello").expectStatus(204)
            },
            ConformanceCase(.append, "204 carries Stream-Next-Offset equal to the new tail") { ctx in
                let name = try await ctx.newStream()
                let offset = try await ctx.append(name, text: "hello").expectStatus(204).requireNextOffset()
                try expectEqual(try await ctx.tail(name), offset, "HEAD tail after the append")
            },
            ConformanceCase(.append, "a successful append to an open stream carries no Stream-Closed") { ctx in
                let name = try await ctx.newStream()
                try await ctx.append(name, text: "hello").expectStatus(204).expectOpen()
            },
            ConformanceCase(.append, "each append's offset sorts after the previous tail") { ctx in
                let name = ctx.streamName()
                var previous = try await ctx.createStream(name).requireNextOffset()
                for index in 0..<5 {
                    let next = try await ctx.appendOK(name, text: "chunk \(index)")
                    try expect(next > previous, "offset after append \(index) (\(show(next))) does not sort after \(show(previous))")
                    previous = next
                }
            },
            ConformanceCase(.append, "appended bytes are readable immediately and in order") { ctx in
                let name = try await ctx.newStream()
                try await ctx.appendOK(name, text: "one,")
                try await ctx.appendOK(name, text: "two,")
                try await ctx.appendOK(name, text: "three")
                try await ctx.read(name).expectStatus(200).expectBody("one,two,three")
            },
            ConformanceCase(.append, "binary appends are stored byte-exactly") { ctx in
                let name = try await ctx.newStream(contentType: CT.binary)
                try await ctx.appendOK(name, .bytes(allByteValues), contentType: CT.binary)
                try await ctx.appendOK(name, .bytes(allByteValues.reversed()), contentType: CT.binary)
                try await ctx.read(name).expectStatus(200).expectBody(allByteValues + allByteValues.reversed())
            },
            ConformanceCase(.append, "multi-byte UTF-8 text is stored byte-exactly") { ctx in
                let text = "héllo wörld — 你好 🌍\u{0}\r\n"
                let name = try await ctx.newStream(contentType: "text/plain; charset=utf-8")
                try await ctx.appendOK(name, text: text, contentType: "text/plain; charset=utf-8")
                try await ctx.read(name).expectStatus(200).expectBody(text)
            },
            ConformanceCase(.append, "POST to a missing stream answers 404") { ctx in
                try await ctx.append(ctx.streamName(), text: "x").expectStatus(404)
            },
            ConformanceCase(.append, "POST with an empty body answers 400") { ctx in
                let name = try await ctx.newStream()
                try await ctx.append(name, .bytes([])).expectStatus(400)
            },
            ConformanceCase(.append, "POST with no body at all answers 400") { ctx in
                let name = try await ctx.newStream()
                try await ctx.append(name, nil).expectStatus(400)
            },
            ConformanceCase(.append, "POST with an empty chunked body answers 400") { ctx in
                let name = try await ctx.newStream()
                try await ctx.append(name, .chunked([])).expectStatus(400)
            },
            ConformanceCase(.append, "a rejected empty POST leaves the stream unchanged") { ctx in
                let name = try await ctx.newStream()
                let before = try await ctx.appendOK(name, text: "data")
                try await ctx.append(name, .bytes([])).expectStatus(400)
                try expectEqual(try await ctx.tail(name), before, "tail after the rejected empty POST")
                try await ctx.head(name).expectStatus(200).expectOpen()
            },
            ConformanceCase(.append, "POST with a mismatched Content-Type answers 409") { ctx in
                let name = try await ctx.newStream(contentType: CT.text)
                try await ctx.append(name, text: "x", contentType: CT.binary).expectStatus(409)
            },
            ConformanceCase(.append, "a Content-Type mismatch stores nothing") { ctx in
                let name = try await ctx.newStream(contentType: CT.text)
                try await ctx.append(name, text: "x", contentType: CT.binary).expectStatus(409)
                try await ctx.read(name).expectStatus(200).expectBody("")
            },
            ConformanceCase(.append, "a Content-Type mismatch on an open stream carries no Stream-Closed") { ctx in
                let name = try await ctx.newStream(contentType: CT.text)
                try await ctx.append(name, text: "x", contentType: CT.binary).expectStatus(409).expectOpen()
            },
            ConformanceCase(.append, "POST with a body but no Content-Type answers 400") { ctx in
                let name = try await ctx.newStream(contentType: CT.text)
                try await ctx.append(name, text: "x", contentType: nil).expectStatus(400)
                try await ctx.read(name).expectStatus(200).expectBody("")
            },
            ConformanceCase(.append, "chunked transfer encoding appends every chunk in order") { ctx in
                let name = try await ctx.newStream()
                let chunks = ["alpha-", "beta-", "gamma-", "delta"].map { Array($0.utf8) }
                try await ctx.append(name, .chunked(chunks)).expectStatus(204)
                try await ctx.read(name).expectStatus(200).expectBody("alpha-beta-gamma-delta")
            },
            ConformanceCase(.append, "a large chunked append is stored exactly") { ctx in
                var random = SeededRandom(seed: ctx.seed)
                let chunks = (0..<64).map { _ in random.bytes(Int.random(in: 1...40_000, using: &random)) }
                let name = try await ctx.newStream(contentType: CT.binary)
                try await ctx.append(name, .chunked(chunks), contentType: CT.binary).expectStatus(204)
                let (bytes, _) = try await ctx.readAll(name)
                try expect(bytes == chunks.flatMap { $0 }, "read back \(bytes.count) bytes, expected the \(chunks.flatMap { $0 }.count) appended bytes")
            },
            ConformanceCase(.append, "a 4 MiB append is stored exactly") { ctx in
                var random = SeededRandom(seed: ctx.seed)
                let bytes = random.bytes(4 * 1024 * 1024)
                let name = try await ctx.newStream(contentType: CT.binary)
                try await ctx.appendOK(name, .bytes(bytes), contentType: CT.binary)
                let (read, _) = try await ctx.readAll(name)
                try expect(read == bytes, "read back \(read.count) bytes that differ from the 4 MiB appended")
            },
            ConformanceCase(.append, "appends to one stream do not change another") { ctx in
                let first = try await ctx.newStream("a")
                let second = try await ctx.newStream("b")
                try await ctx.appendOK(first, text: "for a")
                try await ctx.appendOK(second, text: "for b")
                try await ctx.read(first).expectStatus(200).expectBody("for a")
                try await ctx.read(second).expectStatus(200).expectBody("for b")
            },
            ConformanceCase(.append, "Stream-Seq: increasing values are accepted") { ctx in
                let name = try await ctx.newStream()
                for seq in ["001", "002", "010"] {
                    try await ctx.append(name, text: seq, headers: [(H.seq, seq)]).expectStatus(204)
                }
                try await ctx.read(name).expectStatus(200).expectBody("001002010")
            },
            ConformanceCase(.append, "Stream-Seq: a repeated value answers 409") { ctx in
                let name = try await ctx.newStream()
                try await ctx.append(name, text: "a", headers: [(H.seq, "5")]).expectStatus(204)
                try await ctx.append(name, text: "b", headers: [(H.seq, "5")]).expectStatus(409)
            },
            ConformanceCase(.append, "Stream-Seq: a smaller value answers 409") { ctx in
                let name = try await ctx.newStream()
                try await ctx.append(name, text: "a", headers: [(H.seq, "5")]).expectStatus(204)
                try await ctx.append(name, text: "b", headers: [(H.seq, "4")]).expectStatus(409)
            },
            ConformanceCase(.append, "Stream-Seq: a regression stores nothing") { ctx in
                let name = try await ctx.newStream()
                try await ctx.append(name, text: "a", headers: [(H.seq, "5")]).expectStatus(204)
                let tail = try await ctx.tail(name)
                try await ctx.append(name, text: "b", headers: [(H.seq, "3")]).expectStatus(409)
                try expectEqual(try await ctx.tail(name), tail, "tail after the rejected append")
                try await ctx.read(name).expectStatus(200).expectBody("a")
            },
            ConformanceCase(.append, "Stream-Seq: appends without the header stay accepted") { ctx in
                let name = try await ctx.newStream()
                try await ctx.append(name, text: "a", headers: [(H.seq, "5")]).expectStatus(204)
                try await ctx.append(name, text: "b").expectStatus(204)
                try await ctx.append(name, text: "c", headers: [(H.seq, "6")]).expectStatus(204)
            },
            ConformanceCase(.append, "Stream-Seq: a rejected value does not advance the sequence") { ctx in
                let name = try await ctx.newStream()
                try await ctx.append(name, text: "a", headers: [(H.seq, "b")]).expectStatus(204)
                try await ctx.append(name, text: "x", headers: [(H.seq, "a")]).expectStatus(409)
                try await ctx.append(name, text: "c", headers: [(H.seq, "c")]).expectStatus(204)
            },
            ConformanceCase(.append, "appending to a closed stream answers 409 with Stream-Closed and the final offset") { ctx in
                let name = try await ctx.newStream()
                try await ctx.appendOK(name, text: "data")
                let final = try await ctx.closeOK(name).requireNextOffset()
                let reply = try await ctx.append(name, text: "late").expectStatus(409)
                try reply.expectClosed()
                try expectEqual(try reply.requireNextOffset(), final, "Stream-Next-Offset of the 409")
            },
            ConformanceCase(.append, "a rejected append to a closed stream stores nothing") { ctx in
                let name = try await ctx.newStream()
                try await ctx.appendOK(name, text: "data")
                try await ctx.closeOK(name)
                try await ctx.append(name, text: "late").expectStatus(409)
                try await ctx.read(name).expectStatus(200).expectBody("data")
            },
            ConformanceCase(.append, "append-and-close on a closed stream answers 409 with Stream-Closed") { ctx in
                let name = try await ctx.newStream()
                try await ctx.closeOK(name)
                try await ctx.append(name, text: "again", headers: [(H.closed, "true")]).expectStatus(409).expectClosed()
            },
            ConformanceCase(.append, "close-only on a closed stream answers 204 with Stream-Closed") { ctx in
                let name = try await ctx.newStream()
                try await ctx.closeOK(name)
                try await ctx.close(name).expectStatus(204).expectClosed()
            },
            ConformanceCase(.append, "close-only with a mismatched Content-Type is not rejected") { ctx in
                let name = try await ctx.newStream(contentType: CT.text)
                try await ctx.close(name, contentType: CT.binary).expectStatus(204).expectClosed()
            },
            ConformanceCase(.append, "close-only without Content-Type is accepted") { ctx in
                let name = try await ctx.newStream(contentType: CT.json)
                try await ctx.close(name, contentType: nil).expectStatus(204).expectClosed()
            },
            ConformanceCase(.append, "append-and-close appends the body and closes atomically") { ctx in
                let name = try await ctx.newStream()
                try await ctx.appendOK(name, text: "a")
                let reply = try await ctx.append(name, text: "z", headers: [(H.closed, "true")]).expectStatus(204)
                try reply.expectClosed()
                let read = try await ctx.read(name).expectStatus(200)
                try read.expectBody("az")
                try read.expectClosed()
                try expectEqual(try read.requireNextOffset(), try reply.requireNextOffset(), "final offset")
            },
            ConformanceCase(.append, "closed + Content-Type mismatch: the closed 409 wins (Stream-Closed present)") { ctx in
                let name = try await ctx.newStream(contentType: CT.text)
                try await ctx.closeOK(name)
                try await ctx.append(name, text: "x", contentType: CT.binary).expectStatus(409).expectClosed()
            },
            ConformanceCase(.append, "closed + Stream-Seq regression: the closed 409 wins (Stream-Closed present)") { ctx in
                let name = try await ctx.newStream()
                try await ctx.append(name, text: "a", headers: [(H.seq, "5")]).expectStatus(204)
                try await ctx.closeOK(name)
                try await ctx.append(name, text: "b", headers: [(H.seq, "1")]).expectStatus(409).expectClosed()
            },
            ConformanceCase(.append, "an append-and-close rejected for Content-Type leaves the stream open") { ctx in
                let name = try await ctx.newStream(contentType: CT.text)
                try await ctx.append(name, text: "x", contentType: CT.binary, headers: [(H.closed, "true")]).expectStatus(409)
                try await ctx.head(name).expectStatus(200).expectOpen("a rejected append-and-close must not close")
            },
            ConformanceCase(.append, "an append-and-close rejected for Stream-Seq leaves the stream open") { ctx in
                let name = try await ctx.newStream()
                try await ctx.append(name, text: "a", headers: [(H.seq, "5")]).expectStatus(204)
                try await ctx.append(name, text: "b", headers: [(H.seq, "5"), (H.closed, "true")]).expectStatus(409)
                try await ctx.head(name).expectStatus(200).expectOpen("a rejected append-and-close must not close")
                try await ctx.read(name).expectStatus(200).expectBody("a")
            },
            ConformanceCase(.append, "many small appends concatenate in order") { ctx in
                let name = try await ctx.newStream()
                var expected = ""
                for index in 0..<50 {
                    try await ctx.appendOK(name, text: "[\(index)]")
                    expected += "[\(index)]"
                }
                try await ctx.read(name).expectStatus(200).expectBody(expected)
            },
        ]
        // Stream-Seq values compare byte-wise: (first, second, whether second is accepted after first).
        let orderings: [(String, String, Bool, String)] = [
            ("9", "10", false, "\"10\" sorts before \"9\" byte-wise"),
            ("09", "10", true, "zero-padded numbers sort numerically"),
            ("Z", "a", true, "lower case sorts after upper case"),
            ("a", "Z", false, "upper case sorts before lower case"),
            ("ab", "abc", true, "a longer string after its prefix"),
            ("abc", "ab", false, "a prefix sorts before the longer string"),
            ("z", "é", true, "UTF-8 bytes 0xC3 sort after ASCII"),
            ("a-1", "a-10", true, "an extension of the string sorts after it"),
            ("B", "b", true, "comparison is case-sensitive"),
            ("2024-01-02", "2024-01-10", true, "dates in ISO form"),
        ]
        for (first, second, accepted, why) in orderings {
            let verdict = accepted ? "accepted" : "rejected with 409"
            cases.append(ConformanceCase(.append, "Stream-Seq \(show(second)) after \(show(first)) is \(verdict) (\(why))") { ctx in
                let name = try await ctx.newStream()
                try await ctx.append(name, text: "1", headers: [(H.seq, first)]).expectStatus(204)
                try await ctx.append(name, text: "2", headers: [(H.seq, second)]).expectStatus(accepted ? 204 : 409)
            })
        }
        return cases
    }
}
