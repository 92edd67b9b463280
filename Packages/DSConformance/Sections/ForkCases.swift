import DSProtocol

extension ConformanceCatalog {
    /// §4.2 Stream forking: creation, inheritance, independence, errors and idempotency.
    static var forks: [ConformanceCase] {
        forkCreation + forkReads + forkLifecycle + forkExpiry
    }

    private static var forkCreation: [ConformanceCase] {
        [
            ConformanceCase(.forks, "a fork at an offset inherits exactly the data before it") { ctx in
                let source = try await ctx.newStream()
                let cut = try await ctx.appendOK(source, text: "inherited|")
                try await ctx.appendOK(source, text: "not inherited")
                let fork = try await ctx.newFork(of: source, offset: cut)
                try await ctx.read(fork).expectStatus(200).expectBody("inherited|")
            },
            ConformanceCase(.forks, "a fork without Stream-Fork-Offset inherits up to the source's tail") { ctx in
                let source = try await ctx.newStream(body: .text("all of "))
                try await ctx.appendOK(source, text: "it")
                let fork = try await ctx.newFork(of: source)
                try await ctx.read(fork).expectStatus(200).expectBody("all of it")
            },
            ConformanceCase(.forks, "the fork's 201 reports the fork offset as its tail") { ctx in
                let source = try await ctx.newStream()
                let cut = try await ctx.appendOK(source, text: "abc")
                try await ctx.appendOK(source, text: "def")
                let reply = try await ctx.fork(ctx.streamName("fork"), from: source, offset: cut).expectStatus(201)
                try expectEqual(try reply.requireNextOffset(), cut, "Stream-Next-Offset of the fork's 201")
            },
            ConformanceCase(.forks, "a fork without Content-Type inherits the source's") { ctx in
                let source = try await ctx.newStream(contentType: "application/x-conformance", body: .text("x"))
                let fork = try await ctx.newFork(of: source)
                try await ctx.head(fork).expectStatus(200).expectHeader(H.contentType, "application/x-conformance", ignoringCase: true)
            },
            ConformanceCase(.forks, "a fork with the source's Content-Type is created") { ctx in
                let source = try await ctx.newStream(contentType: CT.binary, body: .bytes([1]))
                _ = try await ctx.newFork(of: source, contentType: CT.binary)
            },
            ConformanceCase(.forks, "a fork with a different Content-Type answers 409") { ctx in
                let source = try await ctx.newStream(contentType: CT.text, body: .text("x"))
                let name = ctx.streamName("fork")
                try await ctx.fork(name, from: source, contentType: CT.binary).expectStatus(409)
                try await ctx.head(name).expectStatus(404)
            },
            ConformanceCase(.forks, "forking a missing source answers 404") { ctx in
                let name = ctx.streamName("fork")
                try await ctx.fork(name, from: ctx.streamName("missing")).expectStatus(404)
                try await ctx.head(name).expectStatus(404)
            },
            ConformanceCase(.forks, "a fork offset beyond the source's tail answers 400") { ctx in
                // Forks share their source's offset space, so a fork that grew past the source's tail
                // yields a server-minted offset beyond that tail.
                let source = try await ctx.newStream(body: .text("short"))
                let grown = try await ctx.newFork(of: source)
                let beyond = try await ctx.appendOK(grown, text: "and then much longer")
                let name = ctx.streamName("fork")
                try await ctx.fork(name, from: source, offset: beyond).expectStatus(400)
                try await ctx.head(name).expectStatus(404)
            },
            ConformanceCase(.forks, "a malformed fork offset answers 400") { ctx in
                let source = try await ctx.newStream(body: .text("x"))
                try await ctx.fork(ctx.streamName("fork"), from: source, offset: "not/an,offset").expectStatus(400)
            },
            ConformanceCase(.forks, "a non-numeric Stream-Fork-Sub-Offset answers 400") { ctx in
                let source = try await ctx.newStream()
                let start = try await ctx.tail(source)
                try await ctx.appendOK(source, text: "abc")
                try await ctx.fork(ctx.streamName("fork"), from: source, offset: start, subOffset: "two").expectStatus(400)
            },
            ConformanceCase(.forks, "a negative Stream-Fork-Sub-Offset answers 400") { ctx in
                let source = try await ctx.newStream()
                let start = try await ctx.tail(source)
                try await ctx.appendOK(source, text: "abc")
                try await ctx.fork(ctx.streamName("fork"), from: source, offset: start, subOffset: "-1").expectStatus(400)
            },
            ConformanceCase(.forks, "a Stream-Fork-Sub-Offset past the data answers 400") { ctx in
                let source = try await ctx.newStream(body: .text("abc"))
                let tail = try await ctx.tail(source)
                try await ctx.fork(ctx.streamName("fork"), from: source, offset: tail, subOffset: "1").expectStatus(400)
            },
            ConformanceCase(.forks, "a byte Stream-Fork-Sub-Offset inherits that many bytes past the offset") { ctx in
                let source = try await ctx.newStream()
                let anchor = try await ctx.appendOK(source, text: "hello")
                try await ctx.appendOK(source, text: "world")
                let fork = try await ctx.newFork(of: source, offset: anchor, subOffset: "2")
                try await ctx.read(fork).expectStatus(200).expectBody("hellowo")
            },
            ConformanceCase(.forks, "a byte sub-offset from the stream's start inherits a prefix of the first append") { ctx in
                let source = try await ctx.newStream()
                let start = try await ctx.tail(source)
                try await ctx.appendOK(source, .bytes([1, 2, 3, 4, 5]), contentType: CT.text)
                let fork = try await ctx.newFork(of: source, offset: start, subOffset: "3")
                try await ctx.read(fork).expectStatus(200).expectBody([1, 2, 3])
                try await ctx.appendOK(fork, .bytes([9]), contentType: CT.text)
                try await ctx.read(fork).expectStatus(200).expectBody([1, 2, 3, 9])
            },
            ConformanceCase(.forks, "a JSON Stream-Fork-Sub-Offset counts messages inside a batch") { ctx in
                let source = try await ctx.newStream(contentType: CT.json)
                let start = try await ctx.tail(source)
                try await ctx.appendOK(source, text: #"[{"m":1},{"m":2},{"m":3}]"#, contentType: CT.json)
                let fork = try await ctx.newFork(of: source, offset: start, subOffset: "2")
                try await ctx.read(fork).expectStatus(200).expectJSONMessages([["m": 1], ["m": 2]])
            },
            ConformanceCase(.forks, "Stream-Fork-Sub-Offset: 0 is the same as no sub-offset") { ctx in
                let source = try await ctx.newStream()
                let anchor = try await ctx.appendOK(source, text: "keep")
                try await ctx.appendOK(source, text: "drop")
                let fork = try await ctx.newFork(of: source, offset: anchor, subOffset: "0")
                try await ctx.read(fork).expectStatus(200).expectBody("keep")
            },
            ConformanceCase(.forks, "re-creating a fork with the same headers answers 200") { ctx in
                let source = try await ctx.newStream()
                let cut = try await ctx.appendOK(source, text: "x")
                let name = ctx.streamName("fork")
                try await ctx.fork(name, from: source, offset: cut).expectStatus(201)
                try await ctx.fork(name, from: source, offset: cut).expectStatus(200)
            },
            ConformanceCase(.forks, "re-creating a fork with a different fork offset answers 409") { ctx in
                let source = try await ctx.newStream()
                let first = try await ctx.appendOK(source, text: "x")
                let second = try await ctx.appendOK(source, text: "y")
                let name = ctx.streamName("fork")
                try await ctx.fork(name, from: source, offset: first).expectStatus(201)
                try await ctx.fork(name, from: source, offset: second).expectStatus(409)
            },
            ConformanceCase(.forks, "re-creating a fork from a different source answers 409") { ctx in
                let source = try await ctx.newStream("a", body: .text("x"))
                let other = try await ctx.newStream("b", body: .text("x"))
                let name = ctx.streamName("fork")
                try await ctx.fork(name, from: source).expectStatus(201)
                try await ctx.fork(name, from: other).expectStatus(409)
            },
            ConformanceCase(.forks, "a plain PUT at a fork's path (no fork headers) answers 409") { ctx in
                let source = try await ctx.newStream(body: .text("x"))
                let fork = try await ctx.newFork(of: source)
                try await ctx.create(fork).expectStatus(409)
            },
            ConformanceCase(.forks, "forking onto an existing regular stream answers 409") { ctx in
                let source = try await ctx.newStream(body: .text("x"))
                let existing = try await ctx.newStream(body: .text("mine"))
                try await ctx.fork(existing, from: source).expectStatus(409)
                try await ctx.read(existing).expectStatus(200).expectBody("mine")
            },
            ConformanceCase(.forks, "a fork request with both TTL and Expires-At answers 400") { ctx in
                let source = try await ctx.newStream(body: .text("x"))
                let headers = [(H.ttl, "60"), (H.expiresAt, rfc3339(secondsFromNow: 3600))]
                try await ctx.fork(ctx.streamName("fork"), from: source, headers: headers).expectStatus(400)
            },
            ConformanceCase(.forks, "a fork request with an invalid TTL answers 400") { ctx in
                let source = try await ctx.newStream(body: .text("x"))
                try await ctx.fork(ctx.streamName("fork"), from: source, headers: [(H.ttl, "+60")]).expectStatus(400)
            },
            ConformanceCase(.forks, "a closed source can be forked and the fork starts open") { ctx in
                let source = try await ctx.newStream(body: .text("finished"))
                try await ctx.closeOK(source)
                let fork = try await ctx.newFork(of: source)
                try await ctx.head(fork).expectStatus(200).expectOpen("a fork of a closed stream starts open")
                try await ctx.appendOK(fork, text: " and continued")
                try await ctx.read(fork).expectStatus(200).expectBody("finished and continued")
                try await ctx.head(source).expectStatus(200).expectClosed()
            },
            ConformanceCase(.forks, "a fork from a historical offset of a closed stream works") { ctx in
                let source = try await ctx.newStream()
                let cut = try await ctx.appendOK(source, text: "early ")
                try await ctx.appendOK(source, text: "late")
                try await ctx.closeOK(source)
                let fork = try await ctx.newFork(of: source, offset: cut)
                try await ctx.read(fork).expectStatus(200).expectBody("early ")
            },
            ConformanceCase(.forks, "forks do not inherit idempotent producer state") { ctx in
                let source = try await ctx.newStream()
                for seq in 0...2 {
                    try await ctx.append(source, text: "\(seq)", headers: H.producer("p", epoch: 3, seq: seq)).expectStatus(200)
                }
                let fork = try await ctx.newFork(of: source)
                // On the source, epoch 0 would be fenced (403); on the fork the producer is new.
                try await ctx.append(fork, text: "f", headers: H.producer("p", epoch: 0, seq: 0)).expectStatus(200)
                try await ctx.read(fork).expectStatus(200).expectBody("012f")
            },
            ConformanceCase(.forks, "forks do not inherit Stream-Seq state") { ctx in
                let source = try await ctx.newStream()
                try await ctx.append(source, text: "a", headers: [(H.seq, "500")]).expectStatus(204)
                let fork = try await ctx.newFork(of: source)
                try await ctx.append(fork, text: "b", headers: [(H.seq, "100")]).expectStatus(204)
            },
            ConformanceCase(.forks, "a sub-offset inside a producer batch leaves the source's producer state intact") { ctx in
                let source = try await ctx.newStream(contentType: CT.json)
                let start = try await ctx.tail(source)
                try await ctx.append(source, text: "[1,2,3]", contentType: CT.json, headers: H.producer("p", epoch: 0, seq: 0)).expectStatus(200)
                let fork = try await ctx.newFork(of: source, offset: start, subOffset: "1")
                try await ctx.append(source, text: "[1,2,3]", contentType: CT.json, headers: H.producer("p", epoch: 0, seq: 0)).expectStatus(204)
                try await ctx.append(fork, text: "[9]", contentType: CT.json, headers: H.producer("p", epoch: 0, seq: 0)).expectStatus(200)
                try await ctx.read(fork).expectStatus(200).expectJSONMessages([1, 9])
                try await ctx.read(source).expectStatus(200).expectJSONMessages([1, 2, 3])
            },
        ]
    }

    private static var forkReads: [ConformanceCase] {
        [
            ConformanceCase(.forks, "reads stitch inherited data and the fork's own appends") { ctx in
                let source = try await ctx.newStream(body: .text("base-"))
                let fork = try await ctx.newFork(of: source)
                try await ctx.appendOK(fork, text: "fork")
                try await ctx.read(fork).expectStatus(200).expectBody("base-fork")
            },
            ConformanceCase(.forks, "fork offsets equal the source's up to the fork point") { ctx in
                let source = try await ctx.newStream()
                let first = try await ctx.appendOK(source, text: "one ")
                let cut = try await ctx.appendOK(source, text: "two ")
                try await ctx.appendOK(source, text: "three")
                let fork = try await ctx.newFork(of: source, offset: cut)
                let whole = try await ctx.read(fork).expectStatus(200)
                try expectEqual(try whole.requireNextOffset(), cut, "fork tail before its own appends")
                try await ctx.read(fork, offset: first).expectStatus(200).expectBody("two ")
            },
            ConformanceCase(.forks, "appends to the fork do not change the source") { ctx in
                let source = try await ctx.newStream(body: .text("shared"))
                let fork = try await ctx.newFork(of: source)
                try await ctx.appendOK(fork, text: "+fork")
                try await ctx.read(source).expectStatus(200).expectBody("shared")
            },
            ConformanceCase(.forks, "appends to the source after forking do not reach the fork") { ctx in
                let source = try await ctx.newStream(body: .text("shared"))
                let fork = try await ctx.newFork(of: source)
                try await ctx.appendOK(source, text: "+source")
                try await ctx.appendOK(fork, text: "+fork")
                try await ctx.read(fork).expectStatus(200).expectBody("shared+fork")
                try await ctx.read(source).expectStatus(200).expectBody("shared+source")
            },
            ConformanceCase(.forks, "the fork's own offsets start at the fork offset and increase") { ctx in
                let source = try await ctx.newStream(body: .text("abc"))
                let cut = try await ctx.tail(source)
                let fork = try await ctx.newFork(of: source, offset: cut)
                let own = try await ctx.appendOK(fork, text: "d")
                try expect(own > cut, "fork offset \(show(own)) does not sort after the fork offset \(show(cut))")
                try await ctx.read(fork, offset: cut).expectStatus(200).expectBody("d")
            },
            ConformanceCase(.forks, "a JSON fork returns inherited and own messages in one array") { ctx in
                let source = try await ctx.newStream(contentType: CT.json, body: .text("[1,2]"))
                let fork = try await ctx.newFork(of: source)
                try await ctx.appendOK(fork, text: "[3]", contentType: CT.json)
                try await ctx.read(fork).expectStatus(200).expectJSONMessages([1, 2, 3])
            },
            ConformanceCase(.forks, "a fork of a fork stitches through the whole chain") { ctx in
                let root = try await ctx.newStream(body: .text("a"))
                let middle = try await ctx.newFork(of: root)
                try await ctx.appendOK(middle, text: "b")
                let leaf = try await ctx.newFork(of: middle)
                try await ctx.appendOK(leaf, text: "c")
                try await ctx.read(leaf).expectStatus(200).expectBody("abc")
                try await ctx.read(middle).expectStatus(200).expectBody("ab")
            },
            ConformanceCase(.forks, "chunked reading of a fork reconstructs inherited and own bytes") { ctx in
                var random = SeededRandom(seed: ctx.seed)
                let inherited = random.bytes(1_500_000)
                let own = random.bytes(1_500_000)
                let source = try await ctx.newStream(contentType: CT.binary, body: .bytes(inherited))
                let fork = try await ctx.newFork(of: source)
                try await ctx.appendOK(fork, .bytes(own), contentType: CT.binary)
                let (bytes, _) = try await ctx.readAll(fork)
                try expect(bytes == inherited + own, "fork read back \(bytes.count) bytes, expected \(inherited.count + own.count) (seed \(ctx.seed))")
            },
            ConformanceCase(.forks, "long-poll in the inherited range returns at once") { ctx in
                let source = try await ctx.newStream()
                let start = try await ctx.tail(source)
                try await ctx.appendOK(source, text: "inherited")
                let fork = try await ctx.newFork(of: source)
                try await ctx.read(fork, offset: start, live: H.longPoll).expectStatus(200).expectBody("inherited")
            },
            ConformanceCase(.forks, "long-poll at the fork's tail wakes only for the fork's own appends") { ctx in
                let source = try await ctx.newStream(body: .text("x"))
                let fork = try await ctx.newFork(of: source)
                let tail = try await ctx.tail(fork)
                async let poll = ctx.longPollForData(fork, offset: tail)
                try await ctx.appendOK(source, text: "source-only")
                try await ctx.appendOK(fork, text: "fork-own")
                try await poll.expectStatus(200).expectBody("fork-own")
            },
            ConformanceCase(.forks, "SSE on a fork sends inherited data, then own data, never later source data") { ctx in
                let source = try await ctx.newStream(body: .text("inherited|"))
                let fork = try await ctx.newFork(of: source)
                try await ctx.appendOK(fork, text: "own|")
                let outcome = try await ctx.sse(fork, until: SSEStop.text("live")) {
                    try await ctx.appendOK(source, text: "source-only|")
                    try await ctx.appendOK(fork, text: "live")
                }
                try expectEqual(String(decoding: try outcome.dataBytes(), as: UTF8.self), "inherited|own|live", "SSE data of the fork")
            },
        ]
    }

    private static var forkLifecycle: [ConformanceCase] {
        [
            ConformanceCase(.forks, "closing a fork does not close the source") { ctx in
                let source = try await ctx.newStream(body: .text("x"))
                let fork = try await ctx.newFork(of: source)
                try await ctx.closeOK(fork)
                try await ctx.head(source).expectStatus(200).expectOpen()
                try await ctx.appendOK(source, text: "y")
            },
            ConformanceCase(.forks, "closing the source does not close an existing fork") { ctx in
                let source = try await ctx.newStream(body: .text("x"))
                let fork = try await ctx.newFork(of: source)
                try await ctx.closeOK(source)
                try await ctx.head(fork).expectStatus(200).expectOpen()
                try await ctx.appendOK(fork, text: "y")
            },
            ConformanceCase(.forks, "deleting a fork leaves the source intact") { ctx in
                let source = try await ctx.newStream(body: .text("kept"))
                let fork = try await ctx.newFork(of: source)
                try await ctx.delete(fork).expectStatus(204)
                try await ctx.head(fork).expectStatus(404)
                try await ctx.read(source).expectStatus(200).expectBody("kept")
            },
            ConformanceCase(.forks, "a source without forks is deleted outright (404 after)") { ctx in
                let source = try await ctx.newStream(body: .text("x"))
                let fork = try await ctx.newFork(of: source)
                try await ctx.delete(fork).expectStatus(204)
                try await ctx.delete(source).expectStatus(204)
                try await ctx.waitForHeadStatus(source, 404, within: .seconds(10))
            },
            ConformanceCase(.forks, "deleting a source with forks answers 204 and the fork still reads inherited data") { ctx in
                let source = try await ctx.newStream(body: .text("inherited"))
                let fork = try await ctx.newFork(of: source)
                try await ctx.appendOK(fork, text: "+own")
                try await ctx.delete(source).expectStatus(204)
                try await ctx.read(fork).expectStatus(200).expectBody("inherited+own")
            },
            ConformanceCase(.forks, "a soft-deleted source answers 410 to GET") { ctx in
                let source = try await softDeletedSource(ctx)
                try await ctx.read(source).expectStatus(410)
            },
            ConformanceCase(.forks, "a soft-deleted source answers 410 to HEAD") { ctx in
                let source = try await softDeletedSource(ctx)
                try await ctx.head(source).expectStatus(410)
            },
            ConformanceCase(.forks, "a soft-deleted source answers 410 to POST") { ctx in
                let source = try await softDeletedSource(ctx)
                try await ctx.append(source, text: "x").expectStatus(410)
            },
            ConformanceCase(.forks, "a soft-deleted source answers 410 to a second DELETE") { ctx in
                let source = try await softDeletedSource(ctx)
                try await ctx.delete(source).expectStatus(410)
            },
            ConformanceCase(.forks, "a soft-deleted source answers 410 to long-poll and SSE reads") { ctx in
                let source = try await softDeletedSource(ctx)
                try await ctx.read(source, offset: "-1", live: H.longPoll).expectStatus(410)
                try await ctx.sse(source).expectStatus(410)
            },
            ConformanceCase(.forks, "re-creating a soft-deleted source's path answers 409") { ctx in
                let source = try await softDeletedSource(ctx)
                try await ctx.create(source).expectStatus(409)
            },
            ConformanceCase(.forks, "forking a soft-deleted source answers 409") { ctx in
                let source = try await softDeletedSource(ctx)
                try await ctx.fork(ctx.streamName("fork"), from: source).expectStatus(409)
            },
            ConformanceCase(.forks, "deleting the last fork cleans up the soft-deleted source (eventually 404)") { ctx in
                let source = try await ctx.newStream(body: .text("x"))
                let fork = try await ctx.newFork(of: source)
                try await ctx.delete(source).expectStatus(204)
                try await ctx.head(source).expectStatus(410)
                try await ctx.delete(fork).expectStatus(204)
                try await ctx.waitForHeadStatus(source, 404, within: .seconds(10))
            },
            ConformanceCase(.forks, "a soft-deleted source stays 410 while another fork remains") { ctx in
                let source = try await ctx.newStream(body: .text("x"))
                let first = try await ctx.newFork(of: source)
                let second = try await ctx.newFork(of: source)
                try await ctx.delete(source).expectStatus(204)
                try await ctx.delete(first).expectStatus(204)
                try await ctx.head(source).expectStatus(410)
                try await ctx.read(second).expectStatus(200).expectBody("x")
            },
            ConformanceCase(.forks, "cleanup cascades up a chain of soft-deleted forks") { ctx in
                let root = try await ctx.newStream(body: .text("a"))
                let middle = try await ctx.newFork(of: root)
                try await ctx.appendOK(middle, text: "b")
                let leaf = try await ctx.newFork(of: middle)
                try await ctx.delete(root).expectStatus(204)
                try await ctx.delete(middle).expectStatus(204)
                try await ctx.head(middle).expectStatus(410)
                try await ctx.read(leaf).expectStatus(200).expectBody("ab")
                try await ctx.delete(leaf).expectStatus(204)
                try await ctx.waitForHeadStatus(middle, 404, within: .seconds(10))
                try await ctx.waitForHeadStatus(root, 404, within: .seconds(10))
            },
        ]
    }

    /// A source stream that was deleted while a fork still references it.
    private static func softDeletedSource(_ ctx: ConformanceContext) async throws -> String {
        let source = try await ctx.newStream(body: .text("x"))
        _ = try await ctx.newFork(of: source)
        try await ctx.delete(source).expectStatus(204)
        return source
    }

    /// The fork TTL / expiry table of §4.2, one case per row, observed through `HEAD`.
    private static var forkExpiry: [ConformanceCase] {
        enum Expiry: Sendable {
            case none, ttl(String), expiresAt(String)
            var headers: [(String, String)] {
                switch self {
                case .none: return []
                case .ttl(let value): return [(H.ttl, value)]
                case .expiresAt(let value): return [(H.expiresAt, value)]
                }
            }
            var label: String {
                switch self {
                case .none: return "no expiry"
                case .ttl: return "TTL"
                case .expiresAt: return "Expires-At"
                }
            }
        }
        let sourceAt = rfc3339(secondsFromNow: 7200)
        let forkAt = rfc3339(secondsFromNow: 86_400)
        let rows: [(Expiry, Expiry, Expiry)] = [
            (.none, .none, .none),
            (.none, .ttl("600"), .ttl("600")),
            (.none, .expiresAt(forkAt), .expiresAt(forkAt)),
            (.ttl("3600"), .none, .ttl("3600")),
            (.ttl("3600"), .ttl("600"), .ttl("600")),
            (.ttl("3600"), .expiresAt(forkAt), .expiresAt(forkAt)),
            (.expiresAt(sourceAt), .none, .expiresAt(sourceAt)),
            (.expiresAt(sourceAt), .ttl("600"), .ttl("600")),
            (.expiresAt(sourceAt), .expiresAt(forkAt), .expiresAt(forkAt)),
        ]
        return rows.map { source, request, expected in
            let what = expected.label == "no expiry" ? "no expiry"
                : (request.label == "no expiry" ? "the source's \(expected.label)" : "its own \(expected.label)")
            return ConformanceCase(.forks, "expiry: source with \(source.label), fork asking \(request.label) → fork has \(what)") { ctx in
                let name = try await ctx.newStream(headers: source.headers, body: .text("x"))
                let fork = try await ctx.newFork(of: name, headers: request.headers)
                let head = try await ctx.head(fork).expectStatus(200)
                switch expected {
                case .none:
                    try head.expectNoHeader(H.ttl)
                    try head.expectNoHeader(H.expiresAt)
                case .ttl(let value):
                    try head.expectHeader(H.ttl, value)
                    try head.expectNoHeader(H.expiresAt)
                case .expiresAt(let value):
                    let reported = try head.require(H.expiresAt)
                    try expectEqual(RFC3339.parseMilliseconds(reported), RFC3339.parseMilliseconds(value), "instant of the fork's Stream-Expires-At")
                    try head.expectNoHeader(H.ttl)
                }
            }
        }
    }
}
