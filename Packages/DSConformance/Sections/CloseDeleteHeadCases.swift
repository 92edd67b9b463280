import DSProtocol
import Foundation

extension ConformanceCatalog {
    /// §5.3 Close Stream.
    static var close: [ConformanceCase] {
        [
            ConformanceCase(.close, "close-only POST answers 204 with Stream-Closed: true") { ctx in
                let name = try await ctx.newStream()
                try await ctx.close(name).expectStatus(204).expectClosed()
            },
            ConformanceCase(.close, "close-only leaves Stream-Next-Offset unchanged") { ctx in
                let name = try await ctx.newStream()
                let tail = try await ctx.appendOK(name, text: "data")
                try expectEqual(try await ctx.closeOK(name).requireNextOffset(), tail, "Stream-Next-Offset of the close")
                try expectEqual(try await ctx.tail(name), tail, "tail after the close")
            },
            ConformanceCase(.close, "closing twice answers 204 both times with the same offset") { ctx in
                let name = try await ctx.newStream()
                try await ctx.appendOK(name, text: "data")
                let first = try await ctx.closeOK(name).requireNextOffset()
                let second = try await ctx.close(name).expectStatus(204)
                try second.expectClosed()
                try expectEqual(try second.requireNextOffset(), first, "Stream-Next-Offset of the second close")
            },
            ConformanceCase(.close, "closing a missing stream answers 404") { ctx in
                try await ctx.close(ctx.streamName()).expectStatus(404)
            },
            ConformanceCase(.close, "HEAD shows Stream-Closed: true after the close") { ctx in
                let name = try await ctx.newStream()
                try await ctx.closeOK(name)
                try await ctx.head(name).expectStatus(200).expectClosed()
            },
            ConformanceCase(.close, "an empty closed stream reads as EOF from the start") { ctx in
                let name = try await ctx.newStream()
                try await ctx.closeOK(name)
                let read = try await ctx.read(name).expectStatus(200)
                try read.expectBody("")
                try read.expectClosed()
            },
            ConformanceCase(.close, "data stays fully readable after the close") { ctx in
                let name = try await ctx.newStream()
                try await ctx.appendOK(name, text: "one ")
                try await ctx.appendOK(name, text: "two")
                try await ctx.closeOK(name)
                let read = try await ctx.read(name).expectStatus(200)
                try read.expectBody("one two")
                try read.expectClosed("the response returns the final data of a closed stream")
            },
            ConformanceCase(.close, "closing is not an append: the close adds no bytes") { ctx in
                let name = try await ctx.newStream(contentType: CT.binary)
                try await ctx.appendOK(name, .bytes([1, 2, 3]), contentType: CT.binary)
                try await ctx.closeOK(name)
                try await ctx.read(name).expectStatus(200).expectBody([1, 2, 3])
            },
            ConformanceCase(.close, "a closed stream stays closed after further appends are rejected") { ctx in
                let name = try await ctx.newStream()
                try await ctx.closeOK(name)
                try await ctx.append(name, text: "x").expectStatus(409)
                try await ctx.create(name).expectStatus(409)
                try await ctx.head(name).expectStatus(200).expectClosed()
            },
            ConformanceCase(.close, "closing a JSON stream needs no body and no Content-Type") { ctx in
                let name = try await ctx.newStream(contentType: CT.json)
                try await ctx.append(name, text: #"{"a":1}"#, contentType: CT.json).expectStatus(204)
                try await ctx.close(name).expectStatus(204).expectClosed()
                let read = try await ctx.read(name).expectStatus(200)
                try read.expectJSONMessages([["a": 1]])
                try read.expectClosed()
            },
        ]
    }

    /// §5.4 Delete Stream.
    static var delete: [ConformanceCase] {
        [
            ConformanceCase(.delete, "DELETE of an existing stream answers 204") { ctx in
                let name = try await ctx.newStream()
                try await ctx.delete(name).expectStatus(204)
            },
            ConformanceCase(.delete, "DELETE of a missing stream answers 404") { ctx in
                try await ctx.delete(ctx.streamName()).expectStatus(404)
            },
            ConformanceCase(.delete, "a deleted stream answers 404 to GET") { ctx in
                let name = try await ctx.newStream()
                try await ctx.appendOK(name, text: "data")
                try await ctx.delete(name).expectStatus(204)
                try await ctx.read(name).expectStatus(404)
            },
            ConformanceCase(.delete, "a deleted stream answers 404 to HEAD") { ctx in
                let name = try await ctx.newStream()
                try await ctx.delete(name).expectStatus(204)
                try await ctx.head(name).expectStatus(404)
            },
            ConformanceCase(.delete, "a deleted stream answers 404 to POST") { ctx in
                let name = try await ctx.newStream()
                try await ctx.delete(name).expectStatus(204)
                try await ctx.append(name, text: "x").expectStatus(404)
            },
            ConformanceCase(.delete, "a second DELETE answers 404") { ctx in
                let name = try await ctx.newStream()
                try await ctx.delete(name).expectStatus(204)
                try await ctx.delete(name).expectStatus(404)
            },
            ConformanceCase(.delete, "a closed stream can be deleted") { ctx in
                let name = try await ctx.newStream()
                try await ctx.closeOK(name)
                try await ctx.delete(name).expectStatus(204)
                try await ctx.head(name).expectStatus(404)
            },
            ConformanceCase(.delete, "a stream with a TTL can be deleted") { ctx in
                let name = try await ctx.newStream(headers: [(H.ttl, "3600")])
                try await ctx.delete(name).expectStatus(204)
                try await ctx.head(name).expectStatus(404)
            },
            ConformanceCase(.delete, "deleting one stream leaves others intact") { ctx in
                let doomed = try await ctx.newStream("a")
                let kept = try await ctx.newStream("b")
                try await ctx.appendOK(kept, text: "kept")
                try await ctx.delete(doomed).expectStatus(204)
                try await ctx.read(kept).expectStatus(200).expectBody("kept")
            },
            ConformanceCase(.delete, "a deleted stream answers 404 to long-poll and SSE reads") { ctx in
                let name = try await ctx.newStream()
                try await ctx.delete(name).expectStatus(204)
                try await ctx.read(name, offset: "-1", live: H.longPoll).expectStatus(404)
                try await ctx.sse(name).expectStatus(404)
            },
        ]
    }

    /// §5.5 Stream Metadata.
    static var metadata: [ConformanceCase] {
        [
            ConformanceCase(.metadata, "HEAD of an existing stream answers 200") { ctx in
                try await ctx.head(try await ctx.newStream()).expectStatus(200)
            },
            ConformanceCase(.metadata, "HEAD of a missing stream answers 404") { ctx in
                try await ctx.head(ctx.streamName()).expectStatus(404)
            },
            ConformanceCase(.metadata, "HEAD carries the stream's Content-Type") { ctx in
                let name = try await ctx.newStream(contentType: "application/x-conformance")
                try await ctx.head(name).expectStatus(200).expectHeader(H.contentType, "application/x-conformance", ignoringCase: true)
            },
            ConformanceCase(.metadata, "HEAD of a new stream reports the offset its PUT returned") { ctx in
                let name = ctx.streamName()
                let created = try await ctx.createStream(name).requireNextOffset()
                try expectEqual(try await ctx.tail(name), created, "HEAD Stream-Next-Offset")
            },
            ConformanceCase(.metadata, "HEAD reports the tail after each append") { ctx in
                let name = try await ctx.newStream()
                for index in 0..<3 {
                    let offset = try await ctx.appendOK(name, text: "\(index)")
                    try expectEqual(try await ctx.tail(name), offset, "HEAD tail after append \(index)")
                }
            },
            ConformanceCase(.metadata, "HEAD has no body") { ctx in
                let name = try await ctx.newStream(body: .text("some data"))
                try await ctx.head(name).expectStatus(200).expectBody("")
            },
            ConformanceCase(.metadata, "HEAD of an open stream has no Stream-Closed") { ctx in
                try await ctx.head(try await ctx.newStream()).expectStatus(200).expectOpen()
            },
            ConformanceCase(.metadata, "HEAD of a closed stream has Stream-Closed: true") { ctx in
                let name = try await ctx.newStream()
                try await ctx.closeOK(name)
                try await ctx.head(name).expectStatus(200).expectClosed()
            },
            ConformanceCase(.metadata, "HEAD is not cacheable (Cache-Control: no-store)") { ctx in
                let value = try await ctx.head(try await ctx.newStream()).expectStatus(200).require(H.cacheControl).lowercased()
                let directives = Set(value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
                let alternative: Set<String> = ["private", "max-age=0", "must-revalidate"]
                try expect(
                    directives.contains("no-store") || alternative.isSubset(of: directives),
                    "HEAD Cache-Control should be no-store (or private, max-age=0, must-revalidate), got \(show(value))"
                )
            },
            ConformanceCase(.metadata, "HEAD reports Stream-TTL for a stream created with one") { ctx in
                let name = try await ctx.newStream(headers: [(H.ttl, "3600")])
                try await ctx.head(name).expectStatus(200).expectHeader(H.ttl, "3600")
            },
            ConformanceCase(.metadata, "HEAD reports Stream-Expires-At for a stream created with one") { ctx in
                let at = rfc3339(secondsFromNow: 3600)
                let name = try await ctx.newStream(headers: [(H.expiresAt, at)])
                let reported = try await ctx.head(name).expectStatus(200).require(H.expiresAt)
                try expectEqual(RFC3339.parseMilliseconds(reported), RFC3339.parseMilliseconds(at), "instant of Stream-Expires-At")
            },
            ConformanceCase(.metadata, "HEAD reports neither TTL nor expiry for a stream without one") { ctx in
                let reply = try await ctx.head(try await ctx.newStream()).expectStatus(200)
                try reply.expectNoHeader(H.ttl)
                try reply.expectNoHeader(H.expiresAt)
            },
            ConformanceCase(.metadata, "HEAD does not reset the TTL countdown") { ctx in
                // HEAD every 100 ms would keep a 2 s window alive forever if it counted as an access.
                let name = try await ctx.newStream(headers: [(H.ttl, "2")])
                try await ctx.waitForHeadStatus(name, 404, within: .seconds(20))
            },
            ConformanceCase(.metadata, "HEAD tail matches the catch-up read's Stream-Next-Offset") { ctx in
                let name = try await ctx.newStream(body: .text("abc"))
                try await ctx.appendOK(name, text: "def")
                let read = try await ctx.read(name).expectStatus(200)
                try expectEqual(try await ctx.tail(name), try read.requireNextOffset(), "HEAD tail vs read Stream-Next-Offset")
            },
        ]
    }
}
