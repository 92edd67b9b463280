import DSProtocol

extension ConformanceCatalog {
    /// §5.2.1 Idempotent Producers.
    static var producers: [ConformanceCase] {
        var cases: [ConformanceCase] = [
            ConformanceCase(.producers, "first append (epoch 0, seq 0) answers 200") { ctx in
                let name = try await ctx.newStream()
                try await ctx.append(name, text: "a", headers: H.producer("p", epoch: 0, seq: 0)).expectStatus(200)
            },
            ConformanceCase(.producers, "200 echoes Producer-Epoch and Producer-Seq") { ctx in
                let name = try await ctx.newStream()
                let reply = try await ctx.append(name, text: "a", headers: H.producer("p", epoch: 0, seq: 0)).expectStatus(200)
                try reply.expectHeader(H.producerEpoch, "0")
                try reply.expectHeader(H.producerSeq, "0")
                _ = try reply.requireNextOffset()
            },
            ConformanceCase(.producers, "the next sequence number answers 200 with Producer-Seq advanced") { ctx in
                let name = try await ctx.newStream()
                try await ctx.append(name, text: "a", headers: H.producer("p", epoch: 0, seq: 0)).expectStatus(200)
                let reply = try await ctx.append(name, text: "b", headers: H.producer("p", epoch: 0, seq: 1)).expectStatus(200)
                try reply.expectHeader(H.producerSeq, "1")
                try await ctx.read(name).expectStatus(200).expectBody("ab")
            },
            ConformanceCase(.producers, "a retried sequence number answers 204 and stores nothing") { ctx in
                let name = try await ctx.newStream()
                try await ctx.append(name, text: "a", headers: H.producer("p", epoch: 0, seq: 0)).expectStatus(200)
                try await ctx.append(name, text: "a", headers: H.producer("p", epoch: 0, seq: 0)).expectStatus(204)
                try await ctx.read(name).expectStatus(200).expectBody("a")
            },
            ConformanceCase(.producers, "an older sequence number answers 204 with the highest accepted Producer-Seq") { ctx in
                let name = try await ctx.newStream()
                for seq in 0...2 {
                    try await ctx.append(name, text: "\(seq)", headers: H.producer("p", epoch: 0, seq: seq)).expectStatus(200)
                }
                let reply = try await ctx.append(name, text: "1", headers: H.producer("p", epoch: 0, seq: 1)).expectStatus(204)
                try reply.expectHeader(H.producerEpoch, "0")
                try reply.expectHeader(H.producerSeq, "2")
                try await ctx.read(name).expectStatus(200).expectBody("012")
            },
            ConformanceCase(.producers, "a duplicate answers success even with a different body, keeping the original") { ctx in
                let name = try await ctx.newStream()
                try await ctx.append(name, text: "original", headers: H.producer("p", epoch: 0, seq: 0)).expectStatus(200)
                try await ctx.append(name, text: "changed", headers: H.producer("p", epoch: 0, seq: 0)).expectStatus(204)
                try await ctx.read(name).expectStatus(200).expectBody("original")
            },
            ConformanceCase(.producers, "a sequence gap answers 409 with Producer-Expected-Seq and Producer-Received-Seq") { ctx in
                let name = try await ctx.newStream()
                try await ctx.append(name, text: "a", headers: H.producer("p", epoch: 0, seq: 0)).expectStatus(200)
                try await ctx.append(name, text: "b", headers: H.producer("p", epoch: 0, seq: 1)).expectStatus(200)
                let reply = try await ctx.append(name, text: "d", headers: H.producer("p", epoch: 0, seq: 3)).expectStatus(409)
                try reply.expectHeader(H.expectedSeq, "2")
                try reply.expectHeader(H.receivedSeq, "3")
            },
            ConformanceCase(.producers, "a sequence gap stores nothing and the expected sequence still works") { ctx in
                let name = try await ctx.newStream()
                try await ctx.append(name, text: "a", headers: H.producer("p", epoch: 0, seq: 0)).expectStatus(200)
                try await ctx.append(name, text: "c", headers: H.producer("p", epoch: 0, seq: 2)).expectStatus(409)
                try await ctx.append(name, text: "b", headers: H.producer("p", epoch: 0, seq: 1)).expectStatus(200)
                try await ctx.read(name).expectStatus(200).expectBody("ab")
            },
            ConformanceCase(.producers, "a stale epoch answers 403 with the current Producer-Epoch") { ctx in
                let name = try await ctx.newStream()
                try await ctx.append(name, text: "a", headers: H.producer("p", epoch: 0, seq: 0)).expectStatus(200)
                try await ctx.append(name, text: "b", headers: H.producer("p", epoch: 1, seq: 0)).expectStatus(200)
                let reply = try await ctx.append(name, text: "z", headers: H.producer("p", epoch: 0, seq: 1)).expectStatus(403)
                try reply.expectHeader(H.producerEpoch, "1")
            },
            ConformanceCase(.producers, "a fenced (403) append stores nothing") { ctx in
                let name = try await ctx.newStream()
                try await ctx.append(name, text: "a", headers: H.producer("p", epoch: 2, seq: 0)).expectStatus(200)
                try await ctx.append(name, text: "z", headers: H.producer("p", epoch: 1, seq: 0)).expectStatus(403)
                try await ctx.read(name).expectStatus(200).expectBody("a")
            },
            ConformanceCase(.producers, "a new epoch starting at seq 0 answers 200 and echoes the new epoch") { ctx in
                let name = try await ctx.newStream()
                try await ctx.append(name, text: "a", headers: H.producer("p", epoch: 0, seq: 0)).expectStatus(200)
                try await ctx.append(name, text: "b", headers: H.producer("p", epoch: 0, seq: 1)).expectStatus(200)
                let reply = try await ctx.append(name, text: "c", headers: H.producer("p", epoch: 1, seq: 0)).expectStatus(200)
                try reply.expectHeader(H.producerEpoch, "1")
                try reply.expectHeader(H.producerSeq, "0")
                try await ctx.read(name).expectStatus(200).expectBody("abc")
            },
            ConformanceCase(.producers, "a new epoch starting at seq != 0 answers 400") { ctx in
                let name = try await ctx.newStream()
                try await ctx.append(name, text: "a", headers: H.producer("p", epoch: 0, seq: 0)).expectStatus(200)
                try await ctx.append(name, text: "b", headers: H.producer("p", epoch: 1, seq: 1)).expectStatus(400)
                try await ctx.read(name).expectStatus(200).expectBody("a")
            },
            ConformanceCase(.producers, "after an epoch bump the old epoch is fenced") { ctx in
                let name = try await ctx.newStream()
                try await ctx.append(name, text: "a", headers: H.producer("p", epoch: 0, seq: 0)).expectStatus(200)
                try await ctx.append(name, text: "b", headers: H.producer("p", epoch: 1, seq: 0)).expectStatus(200)
                try await ctx.append(name, text: "a", headers: H.producer("p", epoch: 0, seq: 0)).expectStatus(403)
            },
            ConformanceCase(.producers, "new epoch sequence numbers restart: seq 1 follows seq 0") { ctx in
                let name = try await ctx.newStream()
                for seq in 0...3 {
                    try await ctx.append(name, text: "o\(seq)", headers: H.producer("p", epoch: 0, seq: seq)).expectStatus(200)
                }
                try await ctx.append(name, text: "n0", headers: H.producer("p", epoch: 1, seq: 0)).expectStatus(200)
                try await ctx.append(name, text: "n1", headers: H.producer("p", epoch: 1, seq: 1)).expectStatus(200)
                try await ctx.append(name, text: "n0", headers: H.producer("p", epoch: 1, seq: 0)).expectStatus(204)
            },
            ConformanceCase(.producers, "auto-claim: a fresh (0,0) against epoch 5 gets 403 Producer-Epoch: 5, then (6,0) succeeds") { ctx in
                let name = try await ctx.newStream()
                try await ctx.append(name, text: "a", headers: H.producer("p", epoch: 5, seq: 0)).expectStatus(200)
                let fenced = try await ctx.append(name, text: "b", headers: H.producer("p", epoch: 0, seq: 0)).expectStatus(403)
                try fenced.expectHeader(H.producerEpoch, "5")
                try await ctx.append(name, text: "b", headers: H.producer("p", epoch: 6, seq: 0)).expectStatus(200)
                try await ctx.read(name).expectStatus(200).expectBody("ab")
            },
            ConformanceCase(.producers, "producers on one stream are independent") { ctx in
                let name = try await ctx.newStream()
                try await ctx.append(name, text: "a0", headers: H.producer("a", epoch: 0, seq: 0)).expectStatus(200)
                try await ctx.append(name, text: "b0", headers: H.producer("b", epoch: 0, seq: 0)).expectStatus(200)
                try await ctx.append(name, text: "a1", headers: H.producer("a", epoch: 0, seq: 1)).expectStatus(200)
                try await ctx.append(name, text: "b1", headers: H.producer("b", epoch: 0, seq: 1)).expectStatus(200)
                try await ctx.read(name).expectStatus(200).expectBody("a0b0a1b1")
            },
            ConformanceCase(.producers, "producer ids are compared exactly (case matters)") { ctx in
                let name = try await ctx.newStream()
                try await ctx.append(name, text: "x", headers: H.producer("Writer", epoch: 0, seq: 0)).expectStatus(200)
                try await ctx.append(name, text: "y", headers: H.producer("writer", epoch: 0, seq: 0)).expectStatus(200)
                try await ctx.read(name).expectStatus(200).expectBody("xy")
            },
            ConformanceCase(.producers, "producer state is per stream") { ctx in
                let first = try await ctx.newStream("a")
                let second = try await ctx.newStream("b")
                try await ctx.append(first, text: "1", headers: H.producer("p", epoch: 3, seq: 0)).expectStatus(200)
                try await ctx.append(second, text: "1", headers: H.producer("p", epoch: 0, seq: 0)).expectStatus(200)
            },
            ConformanceCase(.producers, "producer headers on a missing stream answer 404") { ctx in
                try await ctx.append(ctx.streamName(), text: "a", headers: H.producer("p", epoch: 0, seq: 0)).expectStatus(404)
            },
            ConformanceCase(.producers, "a Content-Type mismatch does not consume the sequence number") { ctx in
                let name = try await ctx.newStream(contentType: CT.text)
                try await ctx.append(name, text: "a", contentType: CT.binary, headers: H.producer("p", epoch: 0, seq: 0)).expectStatus(409)
                try await ctx.append(name, text: "a", headers: H.producer("p", epoch: 0, seq: 0)).expectStatus(200)
                try await ctx.read(name).expectStatus(200).expectBody("a")
            },
            ConformanceCase(.producers, "epoch 2^53-1 is accepted") { ctx in
                let name = try await ctx.newStream()
                try await ctx.append(name, text: "a", headers: H.producer("p", epoch: 9_007_199_254_740_991, seq: 0)).expectStatus(200)
            },
            ConformanceCase(.producers, "seq up to 2^53-1 is representable (gap reported with exact numbers)") { ctx in
                let name = try await ctx.newStream()
                try await ctx.append(name, text: "a", headers: H.producer("p", epoch: 0, seq: 0)).expectStatus(200)
                let reply = try await ctx.append(name, text: "b", headers: H.producer("p", epoch: 0, seq: 9_007_199_254_740_991)).expectStatus(409)
                try reply.expectHeader(H.expectedSeq, "1")
                try reply.expectHeader(H.receivedSeq, "9007199254740991")
            },
            ConformanceCase(.producers, "an empty Producer-Id answers 400") { ctx in
                let name = try await ctx.newStream()
                try await ctx.append(name, text: "a", headers: H.producer("", epoch: 0, seq: 0)).expectStatus(400)
                try await ctx.read(name).expectStatus(200).expectBody("")
            },
            ConformanceCase(.producers, "lower-case producer header names work the same") { ctx in
                let name = try await ctx.newStream()
                let headers = [("producer-id", "p"), ("producer-epoch", "0"), ("producer-seq", "0")]
                try await ctx.append(name, text: "a", headers: headers).expectStatus(200)
                try await ctx.append(name, text: "a", headers: headers).expectStatus(204)
            },
            ConformanceCase(.producers, "concurrent copies of one request: exactly one 200, the rest 204, data once") { ctx in
                let name = try await ctx.newStream()
                let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                    for _ in 0..<8 {
                        group.addTask { try await ctx.append(name, text: "once", headers: H.producer("p", epoch: 0, seq: 0)).status }
                    }
                    return try await group.reduce(into: [Int]()) { $0.append($1) }
                }
                try expectEqual(statuses.filter { $0 == 200 }.count, 1, "number of 200 answers among 8 concurrent copies")
                try expectEqual(statuses.filter { $0 == 204 }.count, 7, "number of 204 answers among 8 concurrent copies")
                try await ctx.read(name).expectStatus(200).expectBody("once")
            },
            ConformanceCase(.producers, "JSON batch retries do not duplicate messages") { ctx in
                let name = try await ctx.newStream(contentType: CT.json)
                let headers = H.producer("p", epoch: 0, seq: 0)
                try await ctx.append(name, text: "[1,2,3]", contentType: CT.json, headers: headers).expectStatus(200)
                try await ctx.append(name, text: "[1,2,3]", contentType: CT.json, headers: headers).expectStatus(204)
                try await ctx.read(name).expectStatus(200).expectJSONMessages([1, 2, 3])
            },
            ConformanceCase(.producers, "producer headers work together with Stream-Seq") { ctx in
                let name = try await ctx.newStream()
                try await ctx.append(name, text: "a", headers: H.producer("p", epoch: 0, seq: 0) + [(H.seq, "1")]).expectStatus(200)
                try await ctx.append(name, text: "b", headers: H.producer("p", epoch: 0, seq: 1) + [(H.seq, "2")]).expectStatus(200)
                try await ctx.read(name).expectStatus(200).expectBody("ab")
            },
            // Closure interplay.
            ConformanceCase(.producers, "append-and-close with producer headers answers 200 with Stream-Closed") { ctx in
                let name = try await ctx.newStream()
                let reply = try await ctx.append(name, text: "last", headers: H.producer("p", epoch: 0, seq: 0) + [(H.closed, "true")])
                try reply.expectStatus(200)
                try reply.expectClosed()
                try await ctx.head(name).expectStatus(200).expectClosed()
            },
            ConformanceCase(.producers, "retrying the closing append answers 204 with Stream-Closed and stores nothing") { ctx in
                let name = try await ctx.newStream()
                let headers = H.producer("p", epoch: 0, seq: 0) + [(H.closed, "true")]
                try await ctx.append(name, text: "last", headers: headers).expectStatus(200)
                try await ctx.append(name, text: "last", headers: headers).expectStatus(204).expectClosed()
                try await ctx.read(name).expectStatus(200).expectBody("last")
            },
            ConformanceCase(.producers, "retrying the closing tuple without Stream-Closed still dedups with 204") { ctx in
                let name = try await ctx.newStream()
                try await ctx.append(name, text: "last", headers: H.producer("p", epoch: 0, seq: 0) + [(H.closed, "true")]).expectStatus(200)
                try await ctx.append(name, text: "last", headers: H.producer("p", epoch: 0, seq: 0)).expectStatus(204).expectClosed()
            },
            ConformanceCase(.producers, "a new sequence from the closing producer answers 409 with Stream-Closed") { ctx in
                let name = try await ctx.newStream()
                try await ctx.append(name, text: "last", headers: H.producer("p", epoch: 0, seq: 0) + [(H.closed, "true")]).expectStatus(200)
                try await ctx.append(name, text: "more", headers: H.producer("p", epoch: 0, seq: 1)).expectStatus(409).expectClosed()
                try await ctx.read(name).expectStatus(200).expectBody("last")
            },
            ConformanceCase(.producers, "another producer appending to a closed stream answers 409 with Stream-Closed") { ctx in
                let name = try await ctx.newStream()
                try await ctx.closeOK(name)
                try await ctx.append(name, text: "x", headers: H.producer("q", epoch: 0, seq: 0)).expectStatus(409).expectClosed()
            },
            ConformanceCase(.producers, "a new epoch cannot append to a closed stream (409 with Stream-Closed)") { ctx in
                let name = try await ctx.newStream()
                try await ctx.append(name, text: "last", headers: H.producer("p", epoch: 0, seq: 0) + [(H.closed, "true")]).expectStatus(200)
                try await ctx.append(name, text: "x", headers: H.producer("p", epoch: 1, seq: 0)).expectStatus(409).expectClosed()
            },
            ConformanceCase(.producers, "an earlier (non-closing) tuple after closure answers 204 or 409, never stores") { ctx in
                let name = try await ctx.newStream()
                try await ctx.append(name, text: "a", headers: H.producer("p", epoch: 0, seq: 0)).expectStatus(200)
                try await ctx.append(name, text: "b", headers: H.producer("p", epoch: 0, seq: 1) + [(H.closed, "true")]).expectStatus(200)
                let reply = try await ctx.append(name, text: "a", headers: H.producer("p", epoch: 0, seq: 0)).expectStatus(204, 409)
                try reply.expectClosed()
                try await ctx.read(name).expectStatus(200).expectBody("ab")
            },
            ConformanceCase(.producers, "close-only with producer headers closes the stream") { ctx in
                let name = try await ctx.newStream()
                try await ctx.append(name, text: "a", headers: H.producer("p", epoch: 0, seq: 0)).expectStatus(200)
                let reply = try await ctx.close(name, headers: H.producer("p", epoch: 0, seq: 1)).expectStatus(200, 204)
                try reply.expectClosed()
                try await ctx.read(name).expectStatus(200).expectBody("a")
            },
            ConformanceCase(.producers, "a repeated close-only with the same producer tuple answers 204 with Stream-Closed") { ctx in
                let name = try await ctx.newStream()
                try await ctx.close(name, headers: H.producer("p", epoch: 0, seq: 0)).expectStatus(200, 204)
                try await ctx.close(name, headers: H.producer("p", epoch: 0, seq: 0)).expectStatus(204).expectClosed()
            },
            ConformanceCase(.producers, "a stale epoch is fenced (403) on an open stream before any append") { ctx in
                let name = try await ctx.newStream()
                try await ctx.append(name, text: "a", headers: H.producer("p", epoch: 4, seq: 0)).expectStatus(200)
                let reply = try await ctx.append(name, text: "b", headers: H.producer("p", epoch: 3, seq: 7)).expectStatus(403)
                try reply.expectHeader(H.producerEpoch, "4")
            },
        ]
        // All three producer headers or none: every partial combination is a 400.
        let partials: [(String, [(String, String)])] = [
            ("Producer-Id alone", [(H.producerID, "p")]),
            ("Producer-Epoch alone", [(H.producerEpoch, "0")]),
            ("Producer-Seq alone", [(H.producerSeq, "0")]),
            ("Producer-Id and Producer-Epoch", [(H.producerID, "p"), (H.producerEpoch, "0")]),
            ("Producer-Id and Producer-Seq", [(H.producerID, "p"), (H.producerSeq, "0")]),
            ("Producer-Epoch and Producer-Seq", [(H.producerEpoch, "0"), (H.producerSeq, "0")]),
        ]
        for (what, headers) in partials {
            cases.append(ConformanceCase(.producers, "\(what) answers 400 and stores nothing") { ctx in
                let name = try await ctx.newStream()
                try await ctx.append(name, text: "a", headers: headers).expectStatus(400)
                try await ctx.read(name).expectStatus(200).expectBody("")
            })
        }
        let badIntegers: [(String, String)] = [
            ("-1", "negative"), ("abc", "not a number"), ("1.5", "fractional"), ("9007199254740992", "above 2^53-1"),
            ("", "empty"), ("1e3", "scientific notation"),
        ]
        for (value, what) in badIntegers {
            cases.append(ConformanceCase(.producers, "Producer-Epoch \(what) (\(show(value))) answers 400") { ctx in
                let name = try await ctx.newStream()
                try await ctx.append(name, text: "a", headers: [(H.producerID, "p"), (H.producerEpoch, value), (H.producerSeq, "0")])
                    .expectStatus(400)
                try await ctx.read(name).expectStatus(200).expectBody("")
            })
            cases.append(ConformanceCase(.producers, "Producer-Seq \(what) (\(show(value))) answers 400") { ctx in
                let name = try await ctx.newStream()
                try await ctx.append(name, text: "a", headers: [(H.producerID, "p"), (H.producerEpoch, "0"), (H.producerSeq, value)])
                    .expectStatus(400)
                try await ctx.read(name).expectStatus(200).expectBody("")
            })
        }
        return cases
    }
}
