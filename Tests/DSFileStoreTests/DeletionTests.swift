import DSFileStore
import DSProtocol
import DSStore
import DSTestSupport
import Foundation
import NIOCore
import Testing

/// Deleted and expired streams give their disk space back, and a path can be reused at once.
struct DeletionTests {
    @Test func deletingAStreamRemovesItsLog() async throws {
        let harness = try FileStoreHarness()
        defer { harness.remove() }
        try await harness.withServer { server in
            try await server.createStream("doomed", body: String(repeating: "x", count: 100_000))
            try await server.createStream("kept", body: "k")
            #expect(try harness.logFiles().count == 2)
            let deleted = try await server.request(.DELETE, "doomed")
            #expect(deleted.status == .noContent)
            // The log left streams/ before the DELETE was answered.
            #expect(try harness.logFiles() == [URL(fileURLWithPath: try harness.logFile(of: "kept")).lastPathComponent])
            let gone = try await server.request(.GET, "doomed")
            #expect(gone.status == .notFound)
        }
        // Closing waits for the background unlinks.
        #expect(try FileManager.default.contentsOfDirectory(atPath: harness.trashDirectory).isEmpty)
        try await harness.withServer { server in
            let gone = try await server.request(.GET, "doomed")
            #expect(gone.status == .notFound)
        }
    }

    @Test func aPathRecreatedAfterDeletionStartsFresh() async throws {
        let harness = try FileStoreHarness()
        defer { harness.remove() }
        try await harness.withServer { server in
            try await server.createStream("again", body: "old data")
            try await server.request(.DELETE, "again")
            try await server.createStream("again", contentType: "application/json", body: "[1]")
            let read = try await server.request(.GET, "again")
            #expect(read.text == "[1]")
        }
        try await harness.withServer { server in
            let read = try await server.request(.GET, "again")
            #expect(read.text == "[1]")
            #expect(read.header("Content-Type") == "application/json")
        }
        #expect(try harness.logFiles().count == 1)
    }

    @Test func deleteAndRecreateInOneGroupCommit() async throws {
        let harness = try FileStoreHarness()
        defer { harness.remove() }
        try await harness.withStore { store in
            try await StoreCalls.create(store, "s", body: "first")
            let loop = StoreCalls.loop
            // Queued back to back, these usually land in one group commit; either way the end state is the same.
            let delete = store.delete(path: "s", now: .now(), on: loop)
            let create = store.create(CreateStreamRequest(path: "s", contentType: StreamContentType("text/plain"), body: ByteBuffer(string: "second")), on: loop)
            let append = store.append(AppendRequest(path: "s", contentType: StreamContentType("text/plain"), body: ByteBuffer(string: "+")), on: loop)
            _ = try await delete.get()
            _ = try await create.get()
            _ = try await append.get()
        }
        try await harness.withStore { store in
            let all = try await StoreCalls.readAll(store, "s")
            #expect(all.bytes == Array("second+".utf8))
        }
        #expect(try harness.logFiles().count == 1)
    }

    @Test func expiredStreamsLeaveTheDisk() async throws {
        let harness = try FileStoreHarness()
        defer { harness.remove() }
        let created = StoreTimestamp(milliseconds: 1_700_000_000_000)
        let expired = StoreTimestamp(milliseconds: created.milliseconds + 61_000)
        try await harness.withStore { store in
            try await StoreCalls.create(store, "swept", expiry: .ttl(seconds: 60), body: "a", now: created)
            try await StoreCalls.create(store, "accessed", expiry: .ttl(seconds: 60), body: "b", now: created)
            try await StoreCalls.create(store, "forever", body: "c", now: created)
            await #expect(throws: StoreError.notFound(path: "accessed")) {
                try await StoreCalls.read(store, "accessed", now: expired)
            }
            #expect(store.removeExpired(now: expired) == ["swept"])
        }
        // Closing drains the removals queued by the sweep and the access check.
        #expect(try harness.logFiles() == [URL(fileURLWithPath: try harness.logFile(of: "forever")).lastPathComponent])
        try await harness.withStore { store in
            #expect(store.streamCount == 1)
        }
    }
}
