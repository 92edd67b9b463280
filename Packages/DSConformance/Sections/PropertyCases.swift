import DSProtocol

extension ConformanceCatalog {
    /// Property-based cases: random (seeded, reproducible) sequences of operations checked against invariants.
    static var properties: [ConformanceCase] {
        [
            property(.catchUp, "random appends read back exactly from every returned offset and in chunks") { ctx, random in
                for round in 0..<3 {
                    let name = ctx.streamName("prop")
                    var offsets = [try await ctx.createStream(name, contentType: CT.binary).requireNextOffset()]
                    var pieces: [[UInt8]] = []
                    for _ in 0..<Int.random(in: 1...12, using: &random) {
                        let size = random.nextBool(1, in: 4) ? Int.random(in: 100_000...600_000, using: &random) : Int.random(in: 1...2_000, using: &random)
                        let piece = random.bytes(size)
                        pieces.append(piece)
                        offsets.append(try await ctx.appendOK(name, .bytes(piece), contentType: CT.binary))
                    }
                    for _ in 0..<4 {
                        let index = Int.random(in: 0..<offsets.count, using: &random)
                        let (bytes, _) = try await ctx.readAll(name, from: offsets[index])
                        let expected = pieces[index...].flatMap { $0 }
                        try expect(bytes == expected, "round \(round): reading from offset #\(index) returned \(bytes.count) bytes, expected \(expected.count)")
                    }
                    let (all, _) = try await ctx.readAll(name)
                    try expect(all == pieces.flatMap { $0 }, "round \(round): reading from the start returned \(all.count) bytes, expected \(pieces.flatMap { $0 }.count)")
                }
            },
            property(.offsets, "offsets strictly increase over random appends in every mode") { ctx, random in
                let text = ctx.streamName("prop")
                let json = ctx.streamName("prop")
                var textTail = try await ctx.createStream(text).requireNextOffset()
                var jsonTail = try await ctx.createStream(json, contentType: CT.json).requireNextOffset()
                for step in 0..<40 {
                    if random.nextBool(1, in: 2) {
                        let next = try await ctx.appendOK(text, text: String(repeating: "y", count: Int.random(in: 1...300, using: &random)))
                        try expect(next > textTail, "step \(step): text offset \(show(next)) is not greater than \(show(textTail))")
                        textTail = next
                    } else {
                        let count = Int.random(in: 1...5, using: &random)
                        let next = try await ctx.appendOK(json, text: "[" + (0..<count).map(String.init).joined(separator: ",") + "]", contentType: CT.json)
                        try expect(next > jsonTail, "step \(step): JSON offset \(show(next)) is not greater than \(show(jsonTail))")
                        jsonTail = next
                    }
                }
                try expectEqual(try await ctx.tail(text), textTail, "final text tail")
                try expectEqual(try await ctx.tail(json), jsonTail, "final JSON tail")
            },
            property(.append, "concurrent writers never interleave inside one append") { ctx, random in
                let name = try await ctx.newStream("prop", contentType: CT.binary)
                let writers = 6
                let perWriter = 8
                var payloads: [[[UInt8]]] = []
                for writer in 0..<writers {
                    payloads.append((0..<perWriter).map { index in
                        // A 4-byte tag (writer, index, 0xAB, 0xCD) then random bytes, so each append is recognisable.
                        [UInt8(writer), UInt8(index), 0xAB, 0xCD] + random.bytes(Int.random(in: 1...30_000, using: &random))
                    })
                }
                let all = payloads
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for writer in 0..<writers {
                        group.addTask {
                            for payload in all[writer] { try await ctx.appendOK(name, .bytes(payload), contentType: CT.binary) }
                        }
                    }
                    try await group.waitForAll()
                }
                let (bytes, _) = try await ctx.readAll(name)
                var remaining = Dictionary(uniqueKeysWithValues: all.joined().map { (Array($0.prefix(2)), $0) })
                var position = 0
                var nextIndex = [Int](repeating: 0, count: writers)
                while position < bytes.count {
                    let key = Array(bytes[position..<min(position + 2, bytes.count)])
                    guard let payload = remaining.removeValue(forKey: key),
                        bytes.count - position >= payload.count,
                        Array(bytes[position..<(position + payload.count)]) == payload
                    else {
                        throw ConformanceFailure("bytes at position \(position) are not an intact append (writer/index tag \(key)): appends were interleaved, lost or duplicated")
                    }
                    try expectEqual(Int(key[1]), nextIndex[Int(key[0])], "order of writer \(key[0])'s appends")
                    nextIndex[Int(key[0])] += 1
                    position += payload.count
                }
                try expect(remaining.isEmpty, "\(remaining.count) acknowledged appends are missing from the stream")
            },
            property(.producers, "producer retries (repeated, concurrent, late) never duplicate") { ctx, random in
                let name = try await ctx.newStream("prop")
                var batches: [String] = []
                var epoch = 0
                var seq = 0
                for step in 0..<30 {
                    if step > 0, random.nextBool(1, in: 10) {
                        epoch += 1
                        seq = 0
                    }
                    let batch = "<\(step):\(random.next() % 10_000)>"
                    let headers = H.producer("prop", epoch: epoch, seq: seq)
                    let copies = Int.random(in: 1...3, using: &random)
                    let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                        for _ in 0..<copies { group.addTask { try await ctx.append(name, text: batch, headers: headers).status } }
                        return try await group.reduce(into: [Int]()) { $0.append($1) }
                    }
                    try expectEqual(statuses.filter { $0 == 200 }.count, 1, "step \(step): number of 200s among \(copies) copies of (\(epoch), \(seq))")
                    try expect(statuses.allSatisfy { $0 == 200 || $0 == 204 }, "step \(step): statuses \(statuses) for copies of one batch")
                    batches.append(batch)
                    if seq > 0, random.nextBool(1, in: 3) {
                        let old = Int.random(in: 0..<seq, using: &random)
                        try await ctx.append(name, text: "late", headers: H.producer("prop", epoch: epoch, seq: old))
                            .expectStatus(204, because: "a late retry of an accepted sequence number is a duplicate")
                    }
                    seq += 1
                }
                try await ctx.read(name).expectStatus(200).expectBody(batches.joined())
            },
            property(.contentTypes, "random JSON batches read back as exactly the flattened messages") { ctx, random in
                let name = try await ctx.newStream("prop", contentType: CT.json)
                var expected: [JSONValue] = []
                for _ in 0..<20 {
                    if random.nextBool(1, in: 2) {
                        let batch = (0..<Int.random(in: 1...6, using: &random)).map { _ in randomJSON(&random, depth: 2) }
                        expected += batch
                        try await ctx.appendOK(name, text: JSONValue.array(batch).description, contentType: CT.json)
                    } else {
                        var value = randomJSON(&random, depth: 2)
                        if case .array = value { value = ["wrapped": value] }
                        expected.append(value)
                        try await ctx.appendOK(name, text: value.description, contentType: CT.json)
                    }
                }
                try await ctx.read(name).expectStatus(200).expectJSONMessages(expected)
            },
            property(.longPoll, "a long-poll reader receives every random append exactly once, in order") { ctx, random in
                let name = ctx.streamName("prop")
                let start = try await ctx.createStream(name, contentType: CT.binary).requireNextOffset()
                let pieces = (0..<10).map { _ in random.bytes(Int.random(in: 1...5_000, using: &random)) }
                let expected = pieces.flatMap { $0 }
                async let received: [UInt8] = {
                    var bytes: [UInt8] = []
                    var offset = start
                    while bytes.count < expected.count {
                        let reply = try await ctx.longPollForData(name, offset: offset).expectStatus(200)
                        bytes += reply.body
                        offset = try reply.requireNextOffset()
                    }
                    return bytes
                }()
                for piece in pieces { try await ctx.appendOK(name, .bytes(piece), contentType: CT.binary) }
                let bytes = try await received
                try expect(bytes == expected, "long-poll reader got \(bytes.count) bytes, expected exactly the \(expected.count) appended")
            },
        ]
    }

    /// A case whose body gets a generator seeded for this case; failures name the run seed to reproduce them.
    private static func property(
        _ section: ConformanceSection,
        _ name: String,
        _ body: @escaping @Sendable (ConformanceContext, inout SeededRandom) async throws -> Void
    ) -> ConformanceCase {
        ConformanceCase(section, "property: " + name) { ctx in
            var random = SeededRandom(seed: ctx.seed)
            do {
                try await body(ctx, &random)
            } catch let failure as ConformanceFailure {
                let lines = failure.message.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
                let rest = lines.count > 1 ? "\n" + lines[1] : ""
                throw ConformanceFailure("\(lines[0]) [reproduce with --seed \(ctx.configuration.seed)]\(rest)")
            }
        }
    }
}

/// A random JSON value at most `depth` containers deep.
private func randomJSON(_ random: inout SeededRandom, depth: Int) -> JSONValue {
    let choice = Int.random(in: 0..<(depth > 0 ? 7 : 5), using: &random)
    switch choice {
    case 0: return .null
    case 1: return .bool(random.nextBool(1, in: 2))
    case 2: return .number(Double(Int.random(in: -1_000_000...1_000_000, using: &random)))
    case 3: return .number(Double(Int.random(in: -9999...9999, using: &random)) / 100)
    case 4:
        let alphabet = Array("abcXYZ019 _-\"\\/\n\té漢🌍")
        return .string(String((0..<Int.random(in: 0...12, using: &random)).map { _ in alphabet.randomElement(using: &random)! }))
    case 5: return .array((0..<Int.random(in: 0...4, using: &random)).map { _ in randomJSON(&random, depth: depth - 1) })
    default:
        var members: [String: JSONValue] = [:]
        for index in 0..<Int.random(in: 0...4, using: &random) { members["k\(index)"] = randomJSON(&random, depth: depth - 1) }
        return .object(members)
    }
}

extension SeededRandom {
    /// `true` with probability `numerator / denominator`.
    mutating func nextBool(_ numerator: Int, in denominator: Int) -> Bool {
        Int.random(in: 0..<denominator, using: &self) < numerator
    }
}
