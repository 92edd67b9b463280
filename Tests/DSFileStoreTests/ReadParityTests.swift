import DSFileStore
import DSProtocol
import DSStore
import DSTestSupport
import Foundation
import NIOCore
import Testing

/// Offsets are byte positions in the same stored representation in every store: the file store answers
/// every read exactly as the memory store does, from any offset and with any size limit, before and after
/// a restart (when the frame index of the newest window has to be rebuilt from the log).
struct ReadParityTests {
    @Test(arguments: ["text/plain", "application/json"])
    func everyReadMatchesTheMemoryStore(_ contentType: String) async throws {
        let harness = try FileStoreHarness()
        defer { harness.remove() }
        let memory = MemoryStreamStore()
        let appends = Self.appends(json: contentType == "application/json")
        try await harness.withStore { file in
            for store in [memory, file] as [any StreamStore] {
                try await StoreCalls.create(store, "s", contentType: contentType)
                for body in appends { try await StoreCalls.append(store, "s", body, contentType: contentType) }
            }
            try await Self.compareReads(memory, file)
            // No reader waited on the stream, so no commit kept its frames in memory: every read used the log.
            #expect(file.statistics.readsFromMemory == 0)
        }
        try await harness.withStore { file in try await Self.compareReads(memory, file) }
    }

    /// Commits that find readers waiting keep their frames in memory for them (``RecentFrames``), joined up
    /// to 64 KiB; a commit with no reader waiting, or too large, drops them. Reads served from them answer
    /// exactly as the memory store does too, and a restart keeps nothing.
    @Test(arguments: ["text/plain", "application/json"])
    func readsOfFramesKeptForWaitingReadersMatchTheMemoryStore(_ contentType: String) async throws {
        let harness = try FileStoreHarness()
        defer { harness.remove() }
        let memory = MemoryStreamStore()
        // The large appends (past 64 KiB) come every 50th; the small ones after the last of them end the stream.
        let firstAppends = Self.appends(json: contentType == "application/json")
        let appends = firstAppends + firstAppends.prefix(40)
        try await harness.withStore { file in
            for store in [memory, file] as [any StreamStore] { try await StoreCalls.create(store, "s", contentType: contentType) }
            for (index, body) in appends.enumerated() {
                try await StoreCalls.append(memory, "s", body, contentType: contentType)
                guard index % 4 != 3 else {
                    try await StoreCalls.append(file, "s", body, contentType: contentType)
                    continue
                }
                let tail = try await StoreCalls.metadata(file, "s").tail
                let woken = StoreCalls.loop.makePromise(of: StreamChange.self)
                _ = file.waitForChange(path: "s", after: tail, promise: woken)
                try await StoreCalls.append(file, "s", body, contentType: contentType)
                #expect(try await woken.futureResult.get() == .dataAvailable)
            }
            try await Self.compareReads(memory, file)
            #expect(file.statistics.readsFromMemory > 0)
        }
        try await harness.withStore { file in
            try await Self.compareReads(memory, file)
            #expect(file.statistics.readsFromMemory == 0)
        }
    }

    /// Reads from a spread of offsets (every 997th byte, plus the tail region byte by byte) with several limits;
    /// large limits from fewer offsets, as each such read returns much of the stream.
    private static func compareReads(_ memory: any StreamStore, _ file: FileStreamStore) async throws {
        let tail = try await StoreCalls.metadata(memory, "s").tail.position
        #expect(try await StoreCalls.metadata(file, "s").tail.position == tail)
        var positions = Set(stride(from: 0, to: tail, by: 997))
        positions.formUnion(tail.saturatingSubtraction(300)...tail)
        for position in positions.sorted() {
            let limits = position % 7 == 0 || position == tail ? [1, 13, 4096, 70_000, 1 << 20] : [1, 13, 4096]
            for maxBytes in limits {
                let start = ReadStart.offset(StreamOffset(position: position))
                let expected = try await StoreCalls.read(memory, "s", from: start, maxBytes: maxBytes)
                let actual = try await StoreCalls.read(file, "s", from: start, maxBytes: maxBytes)
                let same = actual.start == expected.start && actual.next == expected.next
                    && flatten(actual.chunks) == flatten(expected.chunks)
                #expect(same, "read at \(position) of at most \(maxBytes) bytes: \(actual.start)..<\(actual.next), expected \(expected.start)..<\(expected.next)")
                if !same { return }
                // The same read answered without a future, where the store can (at the tail, from kept frames).
                if let immediate = file.readImmediately(ReadRequest(path: "s", start: start, maxBytes: maxBytes, now: .now())) {
                    let outcome = try immediate.get()
                    let sameAtOnce = outcome.start == expected.start && outcome.next == expected.next
                        && flatten(outcome.chunks) == flatten(expected.chunks)
                    #expect(sameAtOnce, "immediate read at \(position) of at most \(maxBytes) bytes")
                    if !sameAtOnce { return }
                }
            }
        }
    }

    /// Appends of many sizes: small ones that fill windows with frames, and a few past the 64 KiB frame size.
    private static func appends(json: Bool) -> [String] {
        var generator = SeededGenerator(seed: json ? 11 : 5)
        return (0..<150).map { index in
            let large = index % 50 == 49
            if json {
                let count = large ? 1 : Int(generator.next() % 40) + 1
                let messages = (0..<count).map { _ in
                    let length = large ? 70_000 : Int(generator.next() % 90)
                    return #"{"n":\#(generator.next() % 1000),"s":"\#(String(repeating: "j", count: length))"}"#
                }
                return "[" + messages.joined(separator: ",") + "]"
            }
            let length = large ? 150_000 : Int(generator.next() % 3000) + 1
            return String((0..<length).map { _ in Character(UnicodeScalar(UInt8(97 + generator.next() % 26))) })
        }
    }

    private static func flatten(_ chunks: [ByteBuffer]) -> ByteBuffer {
        var joined = ByteBuffer()
        for chunk in chunks { joined.writeImmutableBuffer(chunk) }
        return joined
    }
}

extension UInt64 {
    fileprivate func saturatingSubtraction(_ other: UInt64) -> UInt64 { self > other ? self - other : 0 }
}
