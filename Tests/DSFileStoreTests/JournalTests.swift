import DSFileStore
import DSProtocol
import DSStore
import DSTestSupport
import Foundation
import NIOCore
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The shared journal: a group's log writes are durable through one journal record; the logs are synced at
/// checkpoints, and recovery writes back what the logs lost. A store "crashes" here by closing while its final
/// checkpoint fails (the journal keeps its records), after which the test cuts the logs as a power loss would
/// have left them: unsynced log bytes gone.
struct JournalTests {
    @Test func acknowledgedBytesOnlyInTheJournalAreWrittenBack() async throws {
        let faults = FaultSwitch()
        var harness = try FileStoreHarness()
        harness.options.faultInjector = faults.injector
        defer { harness.remove() }
        let tails = try await harness.withStore { store in
            try await StoreCalls.create(store, "text", body: "first-")
            try await StoreCalls.create(store, "json", contentType: "application/json", body: "[1,2]")
            let text = try await StoreCalls.append(store, "text", "second").tail
            let json = try await StoreCalls.append(store, "json", #"{"three":3}"#, contentType: "application/json").tail
            faults.fail(.checkpoint, with: EIO)
            return (text, json)
        }
        faults.clear()
        // One log lost everything but its header, the other even that.
        let (textLog, jsonLog) = (try harness.logFile(of: "text"), try harness.logFile(of: "json"))
        let sizes = (try harness.fileSize(textLog), try harness.fileSize(jsonLog))
        try truncateFile(textLog, to: 16)
        try truncateFile(jsonLog, to: 0)

        let recorder = LogRecorder()
        for _ in 0..<2 {
            try await harness.logging(to: recorder).withStore { store in
                let text = try await StoreCalls.readAll(store, "text")
                #expect(text.bytes == Array("first-second".utf8))
                #expect(text.tail == tails.0)
                let json = try await StoreCalls.readAll(store, "json")
                #expect(String(decoding: json.bytes, as: UTF8.self) == #"1,2,{"three":3},"#)
                #expect(json.tail == tails.1)
            }
            #expect(try harness.fileSize(textLog) == sizes.0)
            #expect(try harness.fileSize(jsonLog) == sizes.1)
        }
        #expect(recorder.recorded.filter { $0.message.contains("replayed the journal") }.count == 1, "the second open had nothing to replay")
        #expect(!recorder.recorded.contains { $0.level >= .warning }, "recovery reported damage: \(recorder.recorded.map(\.message))")
    }

    @Test func aRecordPastTheCommittedEndWritesNothing() async throws {
        let faults = FaultSwitch()
        var harness = try FileStoreHarness()
        harness.options.faultInjector = faults.injector
        defer { harness.remove() }
        try await harness.withStore { store in
            try await StoreCalls.create(store, "s", body: "kept")
            // Its journal record is written and synced, then the LMDB commit fails: never acknowledged.
            faults.fail(.commitMetadata, with: EIO)
            await #expect(throws: StoreError.self) { try await StoreCalls.append(store, "s", "never acknowledged") }
            faults.clear()
            faults.fail(.checkpoint, with: EIO)
        }
        faults.clear()
        let log = try harness.logFile(of: "s")
        let size = try harness.fileSize(log)
        try truncateFile(log, to: 16)

        let recorder = LogRecorder()
        try await harness.logging(to: recorder).withStore { store in
            let all = try await StoreCalls.readAll(store, "s")
            #expect(all.bytes == Array("kept".utf8))
            try await StoreCalls.append(store, "s", "-more")
        }
        #expect(try harness.fileSize(log) == size + 8 + 5)
        let replay = try #require(recorder.recorded.first { $0.message.contains("replayed the journal") })
        #expect(replay.metadata["ignored"] == "1")
        #expect(!recorder.recorded.contains { $0.message.contains("cut unacknowledged bytes") }, "the replay wrote past the committed end")
        try await harness.withStore { store in
            let all = try await StoreCalls.readAll(store, "s")
            #expect(all.bytes == Array("kept-more".utf8))
        }
    }

    @Test func aTornOrStaleRecordIsIgnored() async throws {
        let harness = try FileStoreHarness()
        defer { harness.remove() }
        let id = try await harness.withStore { store in
            guard case .created(let info) = try await StoreCalls.create(store, "s", body: "committed") else { throw TestFailure("not created") }
            return info.id
        }
        var overwrite = ByteBuffer()
        LogFrame.write(ByteBuffer(string: "GARBAGE!!"), to: &overwrite)
        let entries: [JournalFormat.Entry] = [.init(streamID: id, position: 16, bytes: overwrite)]
        // A stale record (an earlier lap's number), one with the right number but another lap's nonce (as
        // client bytes shaped like a record would be), and a torn one (right number and nonce, half written),
        // all over committed bytes: applying any would damage the stream. The last one, whole, is applied.
        for kind in ["stale", "foreign", "torn", "whole"] {
            // A clean close left an empty lap: the next record would be number `start` at the header's end.
            let journal = try Data(contentsOf: URL(fileURLWithPath: harness.journalFile))
            let start = journal.subdata(in: 8..<16).withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
            let nonce = journal.subdata(in: 16..<24).withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
            let record: ByteBuffer
            switch kind {
            case "stale": record = JournalFormat.record(sequence: start - 1, nonce: nonce, entries: entries)
            case "foreign": record = JournalFormat.record(sequence: start, nonce: nonce &+ 1, entries: entries)
            default: record = JournalFormat.record(sequence: start, nonce: nonce, entries: entries)
            }
            var bytes = Array(record.readableBytesView)
            if kind == "torn" { bytes = bytes.dropLast(6) + Array(repeating: 0, count: 6) }
            try writeBytes(bytes, at: JournalFormat.headerSize, ofFile: harness.journalFile)
            let recorder = LogRecorder()
            let read = try await harness.logging(to: recorder).withStore { store in try await StoreCalls.readAll(store, "s").bytes }
            let replayed = recorder.recorded.contains { $0.message.contains("replayed the journal") }
            if kind == "whole" {
                // The same record, intact, is taken: the three above were refused for what they are.
                #expect(replayed)
                #expect(read == Array("GARBAGE!!".utf8))
            } else {
                #expect(!replayed, "the \(kind) record was replayed")
                #expect(read == Array("committed".utf8))
            }
        }
    }

    @Test func aFailedCheckpointKeepsTheJournal() async throws {
        let faults = FaultSwitch()
        var harness = try FileStoreHarness()
        harness.options.faultInjector = faults.injector
        harness.options.journalCapacity = 64 << 10
        defer { harness.remove() }
        let chunk = String(repeating: "x", count: 10_000)
        let acknowledged = try await harness.withStore { store in
            try await StoreCalls.create(store, "a")
            try await StoreCalls.create(store, "b")
            // Log syncs fail, so the first group that needs a new lap fails; nothing of the lap may be dropped.
            faults.fail(.syncLog, with: EIO)
            var acknowledged = 0
            for index in 0..<100 {
                do {
                    try await StoreCalls.append(store, index % 2 == 0 ? "a" : "b", chunk)
                    acknowledged += 1
                } catch {
                    break
                }
            }
            #expect(store.statistics.checkpoints == 0)
            faults.fail(.checkpoint, with: EIO)
            return acknowledged
        }
        faults.clear()
        #expect(acknowledged >= 4 && acknowledged < 100)
        for path in ["a", "b"] { try truncateFile(try harness.logFile(of: path), to: 16) }
        try await harness.withStore { store in
            let a = try await StoreCalls.readAll(store, "a")
            let b = try await StoreCalls.readAll(store, "b")
            #expect(a.bytes.count == (acknowledged + 1) / 2 * chunk.utf8.count)
            #expect(b.bytes.count == acknowledged / 2 * chunk.utf8.count)
            #expect(a.bytes.allSatisfy { $0 == UInt8(ascii: "x") } && b.bytes.allSatisfy { $0 == UInt8(ascii: "x") })
        }
    }

    @Test func checkpointsReuseTheJournalAndLoseNothing() async throws {
        let faults = FaultSwitch()
        var harness = try FileStoreHarness()
        harness.options.faultInjector = faults.injector
        harness.options.journalCapacity = 64 << 10
        defer { harness.remove() }
        let paths = (0..<6).map { "s\($0)" }
        var expected: [String: [UInt8]] = [:]
        try await harness.withStore { store in
            for path in paths { try await StoreCalls.create(store, path) }
            // 3 MiB through a 64 KiB journal: dozens of laps, each after a checkpoint.
            for round in 0..<50 {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for (index, path) in paths.enumerated() {
                        let body = String(repeating: Character(UnicodeScalar(UInt8(97 + (round + index) % 26))), count: 10_000)
                        expected[path, default: []] += Array(body.utf8)
                        group.addTask { try await StoreCalls.append(store, path, body) }
                    }
                    try await group.waitForAll()
                }
                // Appends that arrive while a checkpoint fails are refused, and the next checkpoint retries.
                if round == 25 {
                    faults.fail(.syncLog, with: EIO)
                    var refused = false
                    for _ in 0..<20 where !refused {
                        do {
                            try await StoreCalls.append(store, paths[0], String(repeating: "z", count: 10_000))
                            expected[paths[0], default: []] += Array(repeating: UInt8(ascii: "z"), count: 10_000)
                        } catch {
                            refused = true
                        }
                    }
                    #expect(refused)
                    faults.clear()
                }
            }
            #expect(store.statistics.checkpoints >= 20)
            // Reused in place: the file never grows much past the capacity.
            #expect(try harness.fileSize(harness.journalFile) <= 2 << 20)
            faults.fail(.checkpoint, with: EIO)  // close without the final checkpoint: the last lap is replayed
        }
        faults.clear()
        for _ in 0..<2 {
            try await harness.withStore { store in
                for path in paths {
                    let all = try await StoreCalls.readAll(store, path)
                    #expect(all.bytes == expected[path], "\(path) differs")
                }
            }
        }
    }

    @Test func aLargeAppendToOneStreamSyncsItsLogDirectly() async throws {
        let faults = FaultSwitch()
        var harness = try FileStoreHarness()
        harness.options.faultInjector = faults.injector
        defer { harness.remove() }
        let large = String(repeating: "L", count: 300 << 10)
        try await harness.withStore { store in
            try await StoreCalls.create(store, "s", body: "small")
            let before = store.statistics
            try await StoreCalls.append(store, "s", large)
            let after = store.statistics
            #expect(after.logSyncs == before.logSyncs + 1)
            #expect(after.journalSyncs == before.journalSyncs)
            // Small appends, and large ones spread over several streams, still go through the journal.
            try await StoreCalls.append(store, "s", "tiny")
            #expect(store.statistics.journalSyncs == after.journalSyncs + 1)
            faults.fail(.checkpoint, with: EIO)
        }
        faults.clear()
        try await harness.withStore { store in
            let all = try await StoreCalls.readAll(store, "s")
            #expect(all.bytes == Array(("small" + large + "tiny").utf8))
        }
    }

    @Test func aFailedGroupsRecordIsNeverReplayedOverADirectlySyncedLog() async throws {
        let faults = FaultSwitch()
        var harness = try FileStoreHarness()
        harness.options.faultInjector = faults.injector
        defer { harness.remove() }
        let large = String(repeating: "y", count: 300 << 10)
        try await harness.withStore { store in
            try await StoreCalls.create(store, "s", body: "a")
            // Journaled, then its commit fails: the record stays in the lap, the log is cut back.
            faults.fail(.commitMetadata, with: EIO)
            await #expect(throws: StoreError.self) { try await StoreCalls.append(store, "s", "FAILED-BYTES") }
            faults.clear()
            // Written at the same log position and synced directly, not journaled.
            try await StoreCalls.append(store, "s", large)
            faults.fail(.checkpoint, with: EIO)
        }
        faults.clear()
        try await harness.withStore { store in
            let all = try await StoreCalls.readAll(store, "s")
            #expect(all.bytes == Array(("a" + large).utf8))
        }
    }
}

/// Overwrites bytes of a file at `offset`.
private func writeBytes(_ bytes: [UInt8], at offset: UInt64, ofFile path: String) throws {
    let handle = try FileHandle(forUpdatingAtPath: path).unwrap("open \(path)")
    defer { try? handle.close() }
    try handle.seek(toOffset: offset)
    try handle.write(contentsOf: Data(bytes))
}
