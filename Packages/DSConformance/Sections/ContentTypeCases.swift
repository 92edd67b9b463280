import DSProtocol

extension ConformanceCatalog {
    /// §9 Content Types, with §9.1 JSON mode.
    static var contentTypes: [ConformanceCase] {
        var cases: [ConformanceCase] = [
            ConformanceCase(.contentTypes, "JSON: one object stores one message, read back as [object]") { ctx in
                let name = try await ctx.newStream(contentType: CT.json)
                try await ctx.appendOK(name, text: #"{"event": "created"}"#, contentType: CT.json)
                try await ctx.read(name).expectStatus(200).expectJSONMessages([["event": "created"]])
            },
            ConformanceCase(.contentTypes, "JSON: an array body stores each element as a message") { ctx in
                let name = try await ctx.newStream(contentType: CT.json)
                try await ctx.appendOK(name, text: #"[{"event": "a"}, {"event": "b"}]"#, contentType: CT.json)
                try await ctx.read(name).expectStatus(200).expectJSONMessages([["event": "a"], ["event": "b"]])
            },
            ConformanceCase(.contentTypes, "JSON: [[1,2],[3,4]] stores two array messages") { ctx in
                let name = try await ctx.newStream(contentType: CT.json)
                try await ctx.appendOK(name, text: "[[1,2], [3,4]]", contentType: CT.json)
                try await ctx.read(name).expectStatus(200).expectJSONMessages([[1, 2], [3, 4]])
            },
            ConformanceCase(.contentTypes, "JSON: [[[1,2,3]]] stores one message [[1,2,3]] (exactly one level flattened)") { ctx in
                let name = try await ctx.newStream(contentType: CT.json)
                try await ctx.appendOK(name, text: "[[[1,2,3]]]", contentType: CT.json)
                try await ctx.read(name).expectStatus(200).expectJSONMessages([[[1, 2, 3]]])
            },
            ConformanceCase(.contentTypes, "JSON: [[]] stores one empty-array message") { ctx in
                let name = try await ctx.newStream(contentType: CT.json)
                try await ctx.appendOK(name, text: "[[]]", contentType: CT.json)
                try await ctx.read(name).expectStatus(200).expectJSONMessages([[]])
            },
            ConformanceCase(.contentTypes, "JSON: message boundaries are kept across POSTs") { ctx in
                let name = try await ctx.newStream(contentType: CT.json)
                try await ctx.appendOK(name, text: #"{"n":1}"#, contentType: CT.json)
                try await ctx.appendOK(name, text: #"[{"n":2},{"n":3}]"#, contentType: CT.json)
                try await ctx.appendOK(name, text: #"{"n":4}"#, contentType: CT.json)
                try await ctx.read(name).expectStatus(200).expectJSONMessages([["n": 1], ["n": 2], ["n": 3], ["n": 4]])
            },
            ConformanceCase(.contentTypes, "JSON: scalar messages (number, string, bool, null) round-trip") { ctx in
                let name = try await ctx.newStream(contentType: CT.json)
                for body in ["1", #""s""#, "true", "null", "[2, \"t\", false, null]"] {
                    try await ctx.appendOK(name, text: body, contentType: CT.json)
                }
                try await ctx.read(name).expectStatus(200).expectJSONMessages([1, "s", true, nil, 2, "t", false, nil])
            },
            ConformanceCase(.contentTypes, "JSON: whitespace around a message is accepted") { ctx in
                let name = try await ctx.newStream(contentType: CT.json)
                try await ctx.appendOK(name, text: " \n\t{\"a\" : 1}\r\n ", contentType: CT.json)
                try await ctx.read(name).expectStatus(200).expectJSONMessages([["a": 1]])
            },
            ConformanceCase(.contentTypes, "JSON: unicode and escapes survive") { ctx in
                let name = try await ctx.newStream(contentType: CT.json)
                try await ctx.appendOK(name, text: #"{"s":"héllo \"q\" \\ \u00e9 🌍","n":[1.5,-2,3e2]}"#, contentType: CT.json)
                try await ctx.read(name).expectStatus(200).expectJSONMessages([["s": "héllo \"q\" \\ é 🌍", "n": [.number(1.5), -2, 300]]])
            },
            ConformanceCase(.contentTypes, "JSON: POST [] answers 400") { ctx in
                let name = try await ctx.newStream(contentType: CT.json)
                try await ctx.append(name, text: "[]", contentType: CT.json).expectStatus(400)
            },
            ConformanceCase(.contentTypes, "JSON: POST [ ] with whitespace answers 400") { ctx in
                let name = try await ctx.newStream(contentType: CT.json)
                try await ctx.append(name, text: " [ \n ] ", contentType: CT.json).expectStatus(400)
            },
            ConformanceCase(.contentTypes, "JSON: a rejected [] stores nothing") { ctx in
                let name = try await ctx.newStream(contentType: CT.json)
                let tail = try await ctx.appendOK(name, text: "1", contentType: CT.json)
                try await ctx.append(name, text: "[]", contentType: CT.json).expectStatus(400)
                try expectEqual(try await ctx.tail(name), tail, "tail after the rejected []")
                try await ctx.read(name).expectStatus(200).expectJSONMessages([1])
            },
            ConformanceCase(.contentTypes, "JSON: PUT with [] creates an empty stream (201)") { ctx in
                let name = ctx.streamName()
                try await ctx.create(name, contentType: CT.json, body: .text("[]")).expectStatus(201)
                try await ctx.read(name).expectStatus(200).expectJSONMessages([])
            },
            ConformanceCase(.contentTypes, "JSON: PUT with an object body stores one message") { ctx in
                let name = try await ctx.newStream(contentType: CT.json, body: .text(#"{"init":true}"#))
                try await ctx.read(name).expectStatus(200).expectJSONMessages([["init": true]])
            },
            ConformanceCase(.contentTypes, "JSON: PUT with an array body is flattened one level") { ctx in
                let name = try await ctx.newStream(contentType: CT.json, body: .text("[1,[2],{\"x\":[3]}]"))
                try await ctx.read(name).expectStatus(200).expectJSONMessages([1, [2], ["x": [3]]])
            },
            ConformanceCase(.contentTypes, "JSON: PUT with invalid JSON answers 400") { ctx in
                let name = ctx.streamName()
                try await ctx.create(name, contentType: CT.json, body: .text("{nope")).expectStatus(400)
                try await ctx.head(name).expectStatus(404)
            },
            ConformanceCase(.contentTypes, "JSON: an empty stream reads as []") { ctx in
                let name = try await ctx.newStream(contentType: CT.json)
                try await ctx.read(name).expectStatus(200).expectJSONMessages([])
            },
            ConformanceCase(.contentTypes, "JSON: reading at the tail returns []") { ctx in
                let name = try await ctx.newStream(contentType: CT.json)
                let tail = try await ctx.appendOK(name, text: "[1,2]", contentType: CT.json)
                try await ctx.read(name, offset: tail).expectStatus(200).expectJSONMessages([])
            },
            ConformanceCase(.contentTypes, "JSON: reads answer Content-Type: application/json") { ctx in
                let name = try await ctx.newStream(contentType: CT.json)
                try await ctx.appendOK(name, text: "1", contentType: CT.json)
                let type = try await ctx.read(name).expectStatus(200).require(H.contentType).lowercased()
                try expect(type.hasPrefix("application/json"), "Content-Type should be application/json, got \(show(type))")
            },
            ConformanceCase(.contentTypes, "JSON: reading from a returned offset gives the later messages") { ctx in
                let name = try await ctx.newStream(contentType: CT.json)
                let first = try await ctx.appendOK(name, text: "[1,2]", contentType: CT.json)
                let second = try await ctx.appendOK(name, text: "[3]", contentType: CT.json)
                try await ctx.appendOK(name, text: "[4,5]", contentType: CT.json)
                try await ctx.read(name, offset: first).expectStatus(200).expectJSONMessages([3, 4, 5])
                try await ctx.read(name, offset: second).expectStatus(200).expectJSONMessages([4, 5])
            },
            ConformanceCase(.contentTypes, "JSON: a closing append with a message is read back with Stream-Closed") { ctx in
                let name = try await ctx.newStream(contentType: CT.json)
                try await ctx.append(name, text: #"{"final":true}"#, contentType: CT.json, headers: [(H.closed, "true")]).expectStatus(204)
                let read = try await ctx.read(name).expectStatus(200)
                try read.expectJSONMessages([["final": true]])
                try read.expectClosed()
            },
            ConformanceCase(.contentTypes, "JSON: a 1000-message batch is stored in order") { ctx in
                let name = try await ctx.newStream(contentType: CT.json)
                let body = "[" + (0..<1000).map { #"{"i":\#($0)}"# }.joined(separator: ",") + "]"
                try await ctx.appendOK(name, text: body, contentType: CT.json)
                try await ctx.read(name).expectStatus(200).expectJSONMessages((0..<1000).map { ["i": .number(Double($0))] })
            },
            ConformanceCase(.contentTypes, "JSON: application/json; charset=utf-8 is JSON mode") { ctx in
                let type = "application/json; charset=utf-8"
                let name = try await ctx.newStream(contentType: type)
                try await ctx.appendOK(name, text: "[1,2]", contentType: type)
                try await ctx.read(name).expectStatus(200).expectJSONMessages([1, 2])
                try await ctx.append(name, text: "[]", contentType: type).expectStatus(400)
            },
            ConformanceCase(.contentTypes, "JSON: an empty body answers 400") { ctx in
                let name = try await ctx.newStream(contentType: CT.json)
                try await ctx.append(name, .bytes([]), contentType: CT.json).expectStatus(400)
            },
            ConformanceCase(.contentTypes, "non-JSON types are not validated: text/plain accepts '{'") { ctx in
                let name = try await ctx.newStream(contentType: CT.text)
                try await ctx.appendOK(name, text: "{")
                try await ctx.read(name).expectStatus(200).expectBody("{")
            },
            ConformanceCase(.contentTypes, "application/ndjson is byte mode: lines are stored verbatim, [] is accepted") { ctx in
                let type = "application/ndjson"
                let name = try await ctx.newStream(contentType: type)
                try await ctx.appendOK(name, text: "{\"a\":1}\n", contentType: type)
                try await ctx.appendOK(name, text: "[]\n", contentType: type)
                try await ctx.read(name).expectStatus(200).expectBody("{\"a\":1}\n[]\n")
            },
            ConformanceCase(.contentTypes, "a +json type is byte mode: arrays are not flattened") { ctx in
                let type = "application/vnd.example+json"
                let name = try await ctx.newStream(contentType: type)
                try await ctx.appendOK(name, text: "[1,2]", contentType: type)
                try await ctx.appendOK(name, text: "[3]", contentType: type)
                try await ctx.read(name).expectStatus(200).expectBody("[1,2][3]")
            },
            ConformanceCase(.contentTypes, "arbitrary content types are preserved") { ctx in
                for type in ["application/x-protobuf", "text/csv", "image/png", "application/vnd.example.v2"] {
                    let name = try await ctx.newStream(contentType: type)
                    try await ctx.appendOK(name, .bytes([0, 1, 2, 255]), contentType: type)
                    let read = try await ctx.read(name).expectStatus(200)
                    try read.expectHeader(H.contentType, type, ignoringCase: true)
                    try read.expectBody([0, 1, 2, 255])
                }
            },
            ConformanceCase(.contentTypes, "a JSON stream rejects a text/plain append with 409") { ctx in
                let name = try await ctx.newStream(contentType: CT.json)
                try await ctx.append(name, text: "1", contentType: CT.text).expectStatus(409)
            },
        ]
        let invalid: [(String, String)] = [
            ("{", "an unterminated object"), (#"{"a":}"#, "a missing value"), ("[1,2", "an unterminated array"),
            ("not json", "bare words"), ("{'a':1}", "single quotes"), ("[1,]", "a trailing comma"), ("NaN", "NaN"),
            ("undefined", "undefined"), ("01", "a leading zero"), (#""unterminated"#, "an unterminated string"),
            ("1 2", "two values"), ("{\"a\":\"\u{01}\"}", "a raw control character in a string"), ("{\"a\" 1}", "a missing colon"),
            ("[1] x", "trailing garbage"),
        ]
        for (body, what) in invalid {
            cases.append(ConformanceCase(.contentTypes, "JSON: \(what) answers 400 and stores nothing") { ctx in
                let name = try await ctx.newStream(contentType: CT.json)
                try await ctx.append(name, text: body, contentType: CT.json).expectStatus(400)
                try await ctx.read(name).expectStatus(200).expectJSONMessages([])
            })
        }
        return cases
    }
}
