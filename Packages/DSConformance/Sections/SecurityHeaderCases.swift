import DSProtocol

extension ConformanceCatalog {
    /// §12.7 Browser Security Headers: `X-Content-Type-Options: nosniff` on every response and a
    /// `Cross-Origin-Resource-Policy`.
    static var securityHeaders: [ConformanceCase] {
        // Each exchange produces one response the headers are checked on.
        let exchanges: [(String, @Sendable (ConformanceContext) async throws -> HTTPReply)] = [
            ("PUT 201", { ctx in try await ctx.create(ctx.streamName()).expectStatus(201) }),
            ("PUT 200", { ctx in
                let name = try await ctx.newStream()
                return try await ctx.create(name).expectStatus(200)
            }),
            ("POST 204", { ctx in
                let name = try await ctx.newStream()
                return try await ctx.append(name, text: "x").expectStatus(204)
            }),
            ("GET 200", { ctx in try await ctx.read(try await ctx.newStream(body: .text("x"))).expectStatus(200) }),
            ("HEAD 200", { ctx in try await ctx.head(try await ctx.newStream()).expectStatus(200) }),
            ("DELETE 204", { ctx in try await ctx.delete(try await ctx.newStream()).expectStatus(204) }),
            ("GET 404", { ctx in try await ctx.read(ctx.streamName()).expectStatus(404) }),
            ("POST 400", { ctx in
                let name = try await ctx.newStream()
                return try await ctx.append(name, .bytes([])).expectStatus(400)
            }),
            ("POST 409", { ctx in
                let name = try await ctx.newStream()
                return try await ctx.append(name, text: "x", contentType: CT.binary).expectStatus(409)
            }),
            ("GET 304", { ctx in
                let name = try await ctx.newStream(body: .text("x"))
                let etag = try await ctx.read(name).expectStatus(200).require("ETag")
                return try await ctx.read(name, headers: [("If-None-Match", etag)]).expectStatus(304)
            }),
            ("long-poll 200", { ctx in
                try await ctx.read(try await ctx.newStream(body: .text("x")), offset: "-1", live: H.longPoll).expectStatus(200)
            }),
            ("long-poll 204 (closed)", { ctx in
                let name = try await ctx.newStream()
                try await ctx.closeOK(name)
                return try await ctx.read(name, offset: "now", live: H.longPoll).expectStatus(204)
            }),
        ]
        var cases: [ConformanceCase] = []
        for (what, exchange) in exchanges {
            cases.append(ConformanceCase(.securityHeaders, "\(what) carries X-Content-Type-Options: nosniff") { ctx in
                try await exchange(ctx).expectHeader("X-Content-Type-Options", "nosniff", ignoringCase: true)
            })
        }
        for (what, exchange) in exchanges.prefix(6) {
            cases.append(ConformanceCase(.securityHeaders, "\(what) carries Cross-Origin-Resource-Policy") { ctx in
                let value = try await exchange(ctx).require("Cross-Origin-Resource-Policy").lowercased()
                try expect(
                    ["cross-origin", "same-origin", "same-site"].contains(value),
                    "Cross-Origin-Resource-Policy should be cross-origin, same-site or same-origin, got \(show(value))"
                )
            })
        }
        cases.append(ConformanceCase(.securityHeaders, "SSE responses carry X-Content-Type-Options: nosniff") { ctx in
            let name = try await ctx.newStream(body: .text("x"))
            let outcome = try await ctx.sse(name, until: SSEStop.upToDate)
            try expectEqual(outcome.header("X-Content-Type-Options")?.lowercased(), "nosniff", "X-Content-Type-Options of SSE")
        })
        cases.append(ConformanceCase(.securityHeaders, "SSE responses carry Cross-Origin-Resource-Policy") { ctx in
            let name = try await ctx.newStream(body: .text("x"))
            let outcome = try await ctx.sse(name, until: SSEStop.upToDate)
            try expect(outcome.header("Cross-Origin-Resource-Policy") != nil, "\(outcome.request): missing Cross-Origin-Resource-Policy")
        })
        return cases
    }
}
