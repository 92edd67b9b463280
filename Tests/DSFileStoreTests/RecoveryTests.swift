import DSFileStore
import DSPathEncoding
import DSProtocol
import DSStore
import DSTestSupport
import Foundation
import NIOCore
import Testing

/// What a crash or damage below the store leaves behind, and how opening the store repairs it.
struct RecoveryTests {
    @Test func aTornRecordPastTheCommittedEndIsCut() async throws {
        let harness = try FileStoreHarness()
        defer { harness.remove() }
        let tail = try await harness.withStore { store in
            try await StoreCalls.create(store, "s")
            return try await StoreCalls.append(store, "s", "chunk1").tail
        }
        let log = try harness.logFile(of: "s")
        let committedSize = try harness.fileSize(log)
        try appendBytes([0xFF, 0xFF], toFile: log)

        let recorder = LogRecorder()
        try await harness.logging(to: recorder).withStore { store in
            let read = try await StoreCalls.read(store, "s")
            #expect(StoreCalls.text(read) == "chunk1")
            #expect(read.next == tail)
            #expect(read.isUpToDate)
            #expect(try harness.fileSize(log) == committedSize)
            try await StoreCalls.append(store, "s", "chunk2")
        }
        let cut = recorder.recorded.filter { $0.message.contains("cut unacknowledged bytes") }
        #expect(cut.count == 1)
        #expect(cut.first?.metadata["bytes"] == "2")
        #expect(cut.first?.metadata["stream"] == "s")
        try await harness.withStore { store in
            let all = try await StoreCalls.readAll(store, "s")
            #expect(all.bytes == Array("chunk1chunk2".utf8))
        }
    }

    @Test func aWholeFrameThatWasNeverCommittedIsCut() async throws {
        let harness = try FileStoreHarness()
        defer { harness.remove() }
        try await harness.withStore { store in
            try await StoreCalls.create(store, "s", body: "acked")
        }
        // A crash after the write and fdatasync but before the LMDB commit leaves an intact frame behind.
        var frame = ByteBuffer()
        LogFrame.write(ByteBuffer(string: "never acknowledged"), to: &frame)
        try appendBytes(Array(frame.readableBytesView), toFile: try harness.logFile(of: "s"))

        try await harness.withStore { store in
            let all = try await StoreCalls.readAll(store, "s")
            #expect(all.bytes == Array("acked".utf8))
            let info = try await StoreCalls.metadata(store, "s")
            #expect(info.tail == StreamOffset(position: 5))
        }
    }

    @Test func recoveryIsIdempotentOverRepeatedCrashes() async throws {
        let harness = try FileStoreHarness()
        defer { harness.remove() }
        try await harness.withStore { store in
            try await StoreCalls.create(store, "s", contentType: "application/json", body: #"[1,{"two":2}]"#)
            try await StoreCalls.append(store, "s", #""three""#, contentType: "application/json")
        }
        let log = try harness.logFile(of: "s")
        let size = try harness.fileSize(log)
        for round in 0..<5 {
            try appendBytes(Array(repeating: UInt8(round), count: 3 + round), toFile: log)
            try await harness.withStore { store in
                let all = try await StoreCalls.readAll(store, "s")
                #expect(String(decoding: all.bytes, as: UTF8.self) == #"1,{"two":2},"three","#)
                #expect(all.tail == StreamOffset(position: 20))
            }
            #expect(try harness.fileSize(log) == size)
        }
    }

    @Test func aCorruptedCommittedFrameIsNeverServed() async throws {
        let harness = try FileStoreHarness()
        defer { harness.remove() }
        try await harness.withStore { store in
            try await StoreCalls.create(store, "s", body: "intact-")
            try await StoreCalls.append(store, "s", "damaged")
            try await StoreCalls.create(store, "other", body: "unaffected")
        }
        let log = try harness.logFile(of: "s")
        try corruptByte(at: try harness.fileSize(log) - 3, ofFile: log)

        try await harness.withServer { server in
            let damaged = try await server.request(.GET, "s")
            #expect(damaged.status == .serviceUnavailable)
            #expect(damaged.text.contains("checksum"))
            #expect(!damaged.text.contains("damaged"))
            // Every other stream still reads, and so does the intact frame before the damaged one (below).
            let other = try await server.request(.GET, "other")
            #expect(other.text == "unaffected")
        }
        try await harness.withStore { store in
            let first = try await StoreCalls.read(store, "s", maxBytes: 7)
            #expect(StoreCalls.text(first) == "intact-")
        }
    }

    @Test func aLogShorterThanCommittedRollsBackToItsLastIntactFrame() async throws {
        let harness = try FileStoreHarness()
        defer { harness.remove() }
        try await harness.withStore { store in
            try await StoreCalls.create(store, "s")
            for part in ["alpha", "beta", "gamma"] { try await StoreCalls.append(store, "s", part) }
        }
        let log = try harness.logFile(of: "s")
        try truncateFile(log, to: try harness.fileSize(log) - 2)  // cuts into the "gamma" frame

        let recorder = LogRecorder()
        try await harness.logging(to: recorder).withStore { store in
            let all = try await StoreCalls.readAll(store, "s")
            #expect(all.bytes == Array("alphabeta".utf8))
            #expect(all.tail == StreamOffset(position: 9))
            try await StoreCalls.append(store, "s", "delta")
        }
        let loss = recorder.recorded.filter { $0.level == .error && $0.message.contains("acknowledged data was lost") }
        #expect(loss.count == 1)
        #expect(loss.first?.metadata["committedTail"] == "14")
        #expect(loss.first?.metadata["recoveredTail"] == "9")
        try await harness.withStore { store in
            let all = try await StoreCalls.readAll(store, "s")
            #expect(all.bytes == Array("alphabetadelta".utf8))
        }
    }

    @Test func logsNoStreamRefersToGoToTheTrash() async throws {
        let harness = try FileStoreHarness()
        defer { harness.remove() }
        let id = try await harness.withStore { store in
            guard case .created(let info) = try await StoreCalls.create(store, "empty") else { throw TestFailure("not created") }
            try await StoreCalls.create(store, "kept", body: "data")
            return info.id
        }
        // An uncommitted create, and a first append to an empty stream that crashed before its commit.
        let orphan = harness.streamsDirectory + "/" + encodeStreamPath("never-created") + ".zz"
        #expect(FileManager.default.createFile(atPath: orphan, contents: Data("junk".utf8)))
        let emptyLog = harness.streamsDirectory + "/" + encodeStreamPath("empty") + "." + String(id, radix: 36)
        var torn = ByteBuffer(bytes: LogFrame.fileHeader(streamID: id))
        LogFrame.write(ByteBuffer(string: "unacknowledged"), to: &torn)
        #expect(FileManager.default.createFile(atPath: emptyLog, contents: Data(torn.readableBytesView)))

        try await harness.withStore { store in
            #expect(store.streamCount == 2)
            let empty = try await StoreCalls.readAll(store, "empty")
            #expect(empty.bytes.isEmpty)
            let kept = try await StoreCalls.readAll(store, "kept")
            #expect(kept.bytes == Array("data".utf8))
        }
        #expect(try harness.logFiles() == [URL(fileURLWithPath: try harness.logFile(of: "kept")).lastPathComponent])
        #expect(try FileManager.default.contentsOfDirectory(atPath: harness.trashDirectory).isEmpty)
    }
}
