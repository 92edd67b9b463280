import DSProtocol

extension ConformanceCatalog {
    /// §5.1 Create Stream.
    static var create: [ConformanceCase] {
        var cases: [ConformanceCase] = [
            ConformanceCase(.create, "PUT of a new stream answers 201 Created") { ctx in
                try await ctx.create(ctx.streamName()).expectStatus(201)
            },
            ConformanceCase(.create, "201 carries Location equal to the stream URL") { ctx in
                let name = ctx.streamName()
                let location = try await ctx.create(name).expectStatus(201).require("Location")
                try expect(
                    location == ctx.url(name) || location == ctx.path(name),
                    "Location should be \(show(ctx.url(name))) (or its path), got \(show(location))"
                )
            },
            ConformanceCase(.create, "201 carries the stream's Content-Type") { ctx in
                let reply = try await ctx.create(ctx.streamName(), contentType: "application/x-conformance").expectStatus(201)
                try reply.expectHeader(H.contentType, "application/x-conformance", ignoringCase: true)
            },
            ConformanceCase(.create, "201 carries Stream-Next-Offset") { ctx in
                _ = try await ctx.create(ctx.streamName()).expectStatus(201).requireNextOffset()
            },
            ConformanceCase(.create, "a new stream starts open") { ctx in
                let name = ctx.streamName()
                try await ctx.create(name).expectStatus(201).expectOpen()
                try await ctx.head(name).expectStatus(200).expectOpen()
            },
            ConformanceCase(.create, "initial body becomes the stream's first content") { ctx in
                let name = try await ctx.newStream(body: .text("first content"))
                try await ctx.read(name).expectStatus(200).expectBody("first content")
            },
            ConformanceCase(.create, "Stream-Next-Offset of 201 is the tail after the initial body") { ctx in
                let name = ctx.streamName()
                let created = try await ctx.create(name, body: .text("abc")).expectStatus(201).requireNextOffset()
                try expectEqual(try await ctx.tail(name), created, "HEAD tail after create")
                try await ctx.read(name, offset: created).expectStatus(200).expectBody("")
            },
            ConformanceCase(.create, "initial body is stored byte-exactly") { ctx in
                let name = try await ctx.newStream(contentType: CT.binary, body: .bytes(allByteValues))
                try await ctx.read(name).expectStatus(200).expectBody(allByteValues)
            },
            ConformanceCase(.create, "PUT without Content-Type still creates the stream") { ctx in
                let name = ctx.streamName()
                try await ctx.create(name, contentType: nil).expectStatus(201)
                try await ctx.head(name).expectStatus(200)
            },
            ConformanceCase(.create, "repeated PUT with the same configuration answers 200") { ctx in
                let name = try await ctx.newStream()
                try await ctx.create(name).expectStatus(200)
            },
            ConformanceCase(.create, "idempotent 200 carries Content-Type and Stream-Next-Offset") { ctx in
                let name = try await ctx.newStream(contentType: "application/x-conformance")
                let offset = try await ctx.appendOK(name, text: "x", contentType: "application/x-conformance")
                let reply = try await ctx.create(name, contentType: "application/x-conformance").expectStatus(200)
                try reply.expectHeader(H.contentType, "application/x-conformance", ignoringCase: true)
                try expectEqual(try reply.requireNextOffset(), offset, "Stream-Next-Offset of the idempotent PUT")
            },
            ConformanceCase(.create, "idempotent PUT leaves existing data untouched") { ctx in
                let name = try await ctx.newStream()
                try await ctx.appendOK(name, text: "kept")
                try await ctx.create(name).expectStatus(200)
                try await ctx.read(name).expectStatus(200).expectBody("kept")
            },
            ConformanceCase(.create, "PUT with a different Content-Type answers 409") { ctx in
                let name = try await ctx.newStream(contentType: CT.text)
                try await ctx.create(name, contentType: CT.binary).expectStatus(409)
            },
            ConformanceCase(.create, "PUT with a different Stream-TTL answers 409") { ctx in
                let name = try await ctx.newStream(headers: [(H.ttl, "3600")])
                try await ctx.create(name, headers: [(H.ttl, "7200")]).expectStatus(409)
            },
            ConformanceCase(.create, "PUT without the existing stream's TTL answers 409") { ctx in
                let name = try await ctx.newStream(headers: [(H.ttl, "3600")])
                try await ctx.create(name).expectStatus(409)
            },
            ConformanceCase(.create, "PUT adding a TTL to a stream without one answers 409") { ctx in
                let name = try await ctx.newStream()
                try await ctx.create(name, headers: [(H.ttl, "3600")]).expectStatus(409)
            },
            ConformanceCase(.create, "PUT with the same Stream-TTL answers 200") { ctx in
                let name = try await ctx.newStream(headers: [(H.ttl, "3600")])
                try await ctx.create(name, headers: [(H.ttl, "3600")]).expectStatus(200)
            },
            ConformanceCase(.create, "PUT with the same Stream-Expires-At answers 200") { ctx in
                let at = rfc3339(secondsFromNow: 3600)
                let name = try await ctx.newStream(headers: [(H.expiresAt, at)])
                try await ctx.create(name, headers: [(H.expiresAt, at)]).expectStatus(200)
            },
            ConformanceCase(.create, "PUT with a different Stream-Expires-At answers 409") { ctx in
                let name = try await ctx.newStream(headers: [(H.expiresAt, rfc3339(secondsFromNow: 3600))])
                try await ctx.create(name, headers: [(H.expiresAt, rfc3339(secondsFromNow: 7200))]).expectStatus(409)
            },
            ConformanceCase(.create, "PUT without Stream-Closed to a closed stream answers 409") { ctx in
                let name = try await ctx.newStream()
                try await ctx.closeOK(name)
                try await ctx.create(name).expectStatus(409)
            },
            ConformanceCase(.create, "PUT with Stream-Closed: true to a closed stream answers 200") { ctx in
                let name = try await ctx.newStream()
                try await ctx.closeOK(name)
                try await ctx.create(name, headers: [(H.closed, "true")]).expectStatus(200)
            },
            ConformanceCase(.create, "PUT with Stream-Closed: true to an open stream answers 409") { ctx in
                let name = try await ctx.newStream()
                try await ctx.create(name, headers: [(H.closed, "true")]).expectStatus(409)
                try await ctx.head(name).expectStatus(200).expectOpen("a rejected PUT must not close the stream")
            },
            ConformanceCase(.create, "PUT re-created closed stream with matching config carries Stream-Closed") { ctx in
                let name = try await ctx.newStream()
                try await ctx.closeOK(name)
                try await ctx.create(name, headers: [(H.closed, "true")]).expectStatus(200).expectClosed()
            },
            ConformanceCase(.create, "Stream-Closed: true with an empty body creates an empty closed stream") { ctx in
                let name = ctx.streamName()
                try await ctx.create(name, headers: [(H.closed, "true")]).expectStatus(201).expectClosed()
                let read = try await ctx.read(name).expectStatus(200)
                try read.expectBody("")
                try read.expectClosed("reading the empty closed stream is EOF")
            },
            ConformanceCase(.create, "Stream-Closed: true with a body creates a complete, closed stream") { ctx in
                let name = ctx.streamName()
                try await ctx.create(name, headers: [(H.closed, "true")], body: .text("final")).expectStatus(201).expectClosed()
                let read = try await ctx.read(name).expectStatus(200)
                try read.expectBody("final")
                try read.expectClosed()
            },
            ConformanceCase(.create, "a stream created closed rejects appends with 409") { ctx in
                let name = ctx.streamName()
                try await ctx.create(name, headers: [(H.closed, "true")], body: .text("final")).expectStatus(201)
                try await ctx.append(name, text: "more").expectStatus(409).expectClosed()
            },
            ConformanceCase(.create, "Stream-TTL and Stream-Expires-At together answer 400") { ctx in
                let headers = [(H.ttl, "3600"), (H.expiresAt, rfc3339(secondsFromNow: 3600))]
                let name = ctx.streamName()
                try await ctx.create(name, headers: headers).expectStatus(400)
                try await ctx.head(name).expectStatus(404)
            },
            ConformanceCase(.create, "a valid Stream-TTL is accepted") { ctx in
                try await ctx.create(ctx.streamName(), headers: [(H.ttl, "3600")]).expectStatus(201)
            },
            ConformanceCase(.create, "Stream-TTL: 0 is a valid non-negative integer") { ctx in
                try await ctx.create(ctx.streamName(), headers: [(H.ttl, "0")]).expectStatus(201)
            },
            ConformanceCase(.create, "a valid Stream-Expires-At is accepted") { ctx in
                try await ctx.create(ctx.streamName(), headers: [(H.expiresAt, rfc3339(secondsFromNow: 3600))]).expectStatus(201)
            },
            ConformanceCase(.create, "Stream-Expires-At with a numeric offset is accepted") { ctx in
                try await ctx.create(ctx.streamName(), headers: [(H.expiresAt, "2099-06-01T12:00:00+02:00")]).expectStatus(201)
            },
            ConformanceCase(.create, "Stream-Expires-At with fractional seconds is accepted") { ctx in
                try await ctx.create(ctx.streamName(), headers: [(H.expiresAt, "2099-06-01T12:00:00.123Z")]).expectStatus(201)
            },
            ConformanceCase(.create, "a large initial body is stored exactly") { ctx in
                var random = SeededRandom(seed: ctx.seed)
                let bytes = random.bytes(3 * 1024 * 1024 + 17)
                let name = try await ctx.newStream(contentType: CT.binary, body: .bytes(bytes))
                let (read, _) = try await ctx.readAll(name)
                try expect(read == bytes, "reading back a 3 MiB initial body returned \(read.count) bytes that differ")
            },
        ]
        let invalidTTLs: [(String, String)] = [
            ("+3600", "a plus sign"), ("03600", "a leading zero"), ("3600.0", "a decimal point"),
            ("3.6e3", "scientific notation"), ("-1", "a negative value"), ("abc", "letters"), ("", "an empty value"),
            ("0x10", "hex notation"), ("36 00", "inner whitespace"), ("3600s", "a unit suffix"),
            ("١٢", "non-ASCII digits"), ("00", "a doubled zero"),
        ]
        for (value, what) in invalidTTLs {
            cases.append(ConformanceCase(.create, "Stream-TTL with \(what) (\(String(reflecting: value))) answers 400") { ctx in
                let name = ctx.streamName()
                try await ctx.create(name, headers: [(H.ttl, value)]).expectStatus(400)
                try await ctx.head(name).expectStatus(404)
            })
        }
        let invalidExpiries: [(String, String)] = [
            ("tomorrow", "words"), ("1893456000", "a Unix timestamp"), ("2030-01-01", "a date only"),
            ("2030-13-01T00:00:00Z", "month 13"), ("2030-01-01T25:00:00Z", "hour 25"), ("", "an empty value"),
        ]
        for (value, what) in invalidExpiries {
            cases.append(ConformanceCase(.create, "Stream-Expires-At with \(what) (\(String(reflecting: value))) answers 400") { ctx in
                let name = ctx.streamName()
                try await ctx.create(name, headers: [(H.expiresAt, value)]).expectStatus(400)
                try await ctx.head(name).expectStatus(404)
            })
        }
        return cases
    }
}
