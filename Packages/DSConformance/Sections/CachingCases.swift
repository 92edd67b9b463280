import DSProtocol
import Foundation

extension ConformanceCatalog {
    /// §10 Caching and Collapsing: ETags and `304`, closure-aware ETags, and server-generated cursors.
    static var caching: [ConformanceCase] {
        [
            ConformanceCase(.caching, "catch-up reads carry an ETag") { ctx in
                let name = try await ctx.newStream(body: .text("x"))
                _ = try await ctx.read(name).expectStatus(200).require("ETag")
            },
            ConformanceCase(.caching, "catch-up reads are cacheable for 60 s with stale-while-revalidate=300 (or no-store)") { ctx in
                let name = try await ctx.newStream(body: .text("x"))
                let value = try await ctx.read(name).expectStatus(200).require(H.cacheControl).lowercased()
                let directives = Set(value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
                let cacheable = (directives.contains("public") || directives.contains("private"))
                    && directives.contains("max-age=60") && directives.contains("stale-while-revalidate=300")
                try expect(
                    cacheable || directives.contains("no-store"),
                    "catch-up Cache-Control should be public/private, max-age=60, stale-while-revalidate=300 (or no-store for sensitive data), got \(show(value))"
                )
            },
            ConformanceCase(.caching, "If-None-Match with the current ETag answers 304 with no body") { ctx in
                let name = try await ctx.newStream(body: .text("cached"))
                let etag = try await ctx.read(name).expectStatus(200).require("ETag")
                try await ctx.read(name, headers: [("If-None-Match", etag)]).expectStatus(304).expectBody("")
            },
            ConformanceCase(.caching, "If-None-Match with another ETag answers 200 with the data") { ctx in
                let name = try await ctx.newStream(body: .text("fresh"))
                try await ctx.read(name, headers: [("If-None-Match", "\"not-the-etag\"")]).expectStatus(200).expectBody("fresh")
            },
            ConformanceCase(.caching, "the ETag is stable for repeated identical reads") { ctx in
                let name = try await ctx.newStream(body: .text("same"))
                let first = try await ctx.read(name).expectStatus(200).require("ETag")
                let second = try await ctx.read(name).expectStatus(200).require("ETag")
                try expectEqual(second, first, "ETag of the repeated read")
            },
            ConformanceCase(.caching, "the ETag changes when data is appended") { ctx in
                let name = try await ctx.newStream(body: .text("v1"))
                let before = try await ctx.read(name).expectStatus(200).require("ETag")
                try await ctx.appendOK(name, text: "v2")
                let after = try await ctx.read(name, headers: [("If-None-Match", before)]).expectStatus(200)
                try after.expectBody("v1v2")
                try expect(try after.require("ETag") != before, "the ETag did not change after an append")
            },
            ConformanceCase(.caching, "ETags differ for different ranges") { ctx in
                let name = try await ctx.newStream()
                let middle = try await ctx.appendOK(name, text: "a")
                try await ctx.appendOK(name, text: "b")
                let whole = try await ctx.read(name).expectStatus(200).require("ETag")
                let rest = try await ctx.read(name, offset: middle).expectStatus(200).require("ETag")
                try expect(whole != rest, "reads of different ranges share the ETag \(show(whole))")
            },
            ConformanceCase(.caching, "closing the stream changes the ETag of a tail read (no 304 hiding EOF)") { ctx in
                let name = try await ctx.newStream()
                let tail = try await ctx.appendOK(name, text: "x")
                let open = try await ctx.read(name, offset: tail).expectStatus(200).require("ETag")
                try await ctx.closeOK(name)
                let closed = try await ctx.read(name, offset: tail, headers: [("If-None-Match", open)])
                try closed.expectStatus(200, because: "the stale ETag must not hide the closure")
                try closed.expectClosed()
                try expect(try closed.require("ETag") != open, "the ETag did not change with closure")
            },
            ConformanceCase(.caching, "closing the stream changes the ETag of a full read") { ctx in
                let name = try await ctx.newStream(body: .text("data"))
                let open = try await ctx.read(name).expectStatus(200).require("ETag")
                try await ctx.closeOK(name)
                let closed = try await ctx.read(name, headers: [("If-None-Match", open)]).expectStatus(200)
                try closed.expectBody("data")
                try closed.expectClosed()
            },
            ConformanceCase(.caching, "the closed-stream ETag gives 304 on a repeated read") { ctx in
                let name = try await ctx.newStream(body: .text("data"))
                try await ctx.closeOK(name)
                let etag = try await ctx.read(name).expectStatus(200).require("ETag")
                try await ctx.read(name, headers: [("If-None-Match", etag)]).expectStatus(304)
            },
            ConformanceCase(.caching, "a JSON read's ETag works with If-None-Match") { ctx in
                let name = try await ctx.newStream(contentType: CT.json, body: .text("[1,2]"))
                let etag = try await ctx.read(name).expectStatus(200).require("ETag")
                try await ctx.read(name, headers: [("If-None-Match", etag)]).expectStatus(304)
            },
            ConformanceCase(.caching, "long-poll 200 responses carry an ETag") { ctx in
                let name = try await ctx.newStream(body: .text("x"))
                _ = try await ctx.read(name, offset: "-1", live: H.longPoll).expectStatus(200).require("ETag")
            },
            ConformanceCase(.caching, "long-poll cursors are decimal interval numbers") { ctx in
                let name = try await ctx.newStream(body: .text("x"))
                let cursor = try await ctx.read(name, offset: "-1", live: H.longPoll).expectStatus(200).require(H.cursor)
                try expect(UInt64(cursor) != nil, "Stream-Cursor \(show(cursor)) is not a decimal interval number")
            },
            ConformanceCase(.caching, "echoing the current cursor returns a strictly greater cursor") { ctx in
                let name = try await ctx.newStream(body: .text("x"))
                let first = try await ctx.read(name, offset: "-1", live: H.longPoll).expectStatus(200).require(H.cursor)
                let second = try await ctx.read(name, offset: "-1", live: H.longPoll, cursor: first).expectStatus(200).require(H.cursor)
                try expectCursor(second, greaterThan: first)
            },
            ConformanceCase(.caching, "a cursor ahead of the current interval is advanced by 1–3600 s of jitter") { ctx in
                let name = try await ctx.newStream(body: .text("x"))
                let current = try await ctx.read(name, offset: "-1", live: H.longPoll).expectStatus(200).require(H.cursor)
                guard let now = UInt64(current) else { throw ConformanceFailure("Stream-Cursor \(show(current)) is not decimal") }
                let ahead = String(now + 1000)
                let reply = try await ctx.read(name, offset: "-1", live: H.longPoll, cursor: ahead).expectStatus(200)
                let next = try reply.require(H.cursor)
                try expectCursor(next, greaterThan: ahead)
                try expect(UInt64(next)! <= now + 1000 + 3600, "cursor \(next) jumped more than 3600 s past \(ahead)")
            },
            ConformanceCase(.caching, "cursors never go backwards across a chain of echoed requests") { ctx in
                let name = try await ctx.newStream(body: .text("x"))
                var cursor = try await ctx.read(name, offset: "-1", live: H.longPoll).expectStatus(200).require(H.cursor)
                for _ in 0..<5 {
                    let next = try await ctx.read(name, offset: "-1", live: H.longPoll, cursor: cursor).expectStatus(200).require(H.cursor)
                    try expectCursor(next, greaterThan: cursor)
                    cursor = next
                }
            },
            ConformanceCase(.caching, "a stale (old) cursor gets the current interval back, greater than the stale one") { ctx in
                let name = try await ctx.newStream(body: .text("x"))
                let next = try await ctx.read(name, offset: "-1", live: H.longPoll, cursor: "1").expectStatus(200).require(H.cursor)
                try expectCursor(next, greaterThan: "1")
            },
            ConformanceCase(.caching, "a timed-out long-poll echoing a cursor returns a greater one") { ctx in
                let name = try await ctx.newStream()
                let tail = try await ctx.appendOK(name, text: "x")
                let first = try await ctx.read(name, offset: "-1", live: H.longPoll).expectStatus(200).require(H.cursor)
                let timeout = try await ctx.read(name, offset: tail, live: H.longPoll, cursor: first).expectStatus(204)
                try expectCursor(try timeout.require(H.cursor), greaterThan: first)
            },
            ConformanceCase(.caching, "SSE control cursors advance past an echoed cursor") { ctx in
                let name = try await ctx.newStream(body: .text("x"))
                let current = try await ctx.read(name, offset: "-1", live: H.longPoll).expectStatus(200).require(H.cursor)
                let outcome = try await ctx.sse(name, cursor: current, until: SSEStop.upToDate)
                guard case .string(let cursor)? = try outcome.lastControl()["streamCursor"] else {
                    throw ConformanceFailure("\(outcome.request): control event without streamCursor")
                }
                try expectCursor(cursor, greaterThan: current)
            },
        ]
    }
}

/// Fails unless both cursors are decimal and `cursor` is strictly greater.
private func expectCursor(_ cursor: String, greaterThan previous: String) throws {
    guard let value = UInt64(cursor), let old = UInt64(previous) else {
        throw ConformanceFailure("cursors must be decimal interval numbers, got \(show(cursor)) after \(show(previous))")
    }
    try expect(value > old, "cursor \(show(cursor)) is not strictly greater than the echoed \(show(previous))")
}
