import DSFileStore
import DSProtocol
import DSStore
import DSTestSupport
import NIOCore
import Testing

/// Readers racing writers and deletes see committed states only: all of an append or none of it, and a
/// stream deleted under a read is either read whole or not found.
struct ConcurrencyTests {
    @Test func readersSeeAnAppendWhollyOrNotAtAll() async throws {
        let harness = try FileStoreHarness()
        defer { harness.remove() }
        let size = 4 << 20
        try await harness.withStore { store in
            try await StoreCalls.create(store, "big", contentType: "application/octet-stream")
            let body = ByteBuffer(bytes: pseudoRandomBytes(count: size, seed: 3))
            let append = store.append(
                AppendRequest(path: "big", contentType: StreamContentType("application/octet-stream"), body: body),
                on: StoreCalls.loop
            )
            let observed = try await withThrowingTaskGroup(of: UInt64.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        let read = try await StoreCalls.read(store, "big", maxBytes: size)
                        guard read.byteCount == Int(read.next.position) else { throw TestFailure("a read returned part of the tail it saw") }
                        return read.info.tail.position
                    }
                }
                return try await group.reduce(into: Set<UInt64>()) { $0.insert($1) }
            }
            #expect(observed.isSubset(of: [0, UInt64(size)]))
            let outcome = try await append.get()
            #expect(outcome.tail == StreamOffset(position: UInt64(size)))
            let whole = try await StoreCalls.read(store, "big", maxBytes: size)
            #expect(whole.chunks == [body])
        }
    }

    @Test func aReadRacingADeleteGetsAllOrNotFound() async throws {
        let harness = try FileStoreHarness()
        defer { harness.remove() }
        let text = String(repeating: "0123456789", count: 20_000)
        try await harness.withStore { store in
            for round in 0..<5 {
                let path = "doomed-\(round)"
                try await StoreCalls.create(store, path, body: text)
                let delete = store.delete(path: path, now: .now(), on: StoreCalls.loop)
                let results = await withTaskGroup(of: Result<String, any Error>.self) { group in
                    for _ in 0..<10 {
                        group.addTask {
                            do {
                                return .success(StoreCalls.text(try await StoreCalls.read(store, path)))
                            } catch {
                                return .failure(error)
                            }
                        }
                    }
                    return await group.reduce(into: []) { $0.append($1) }
                }
                _ = try await delete.get()
                for result in results {
                    switch result {
                    case .success(let read): #expect(read == text)
                    case .failure(let error): #expect(error as? StoreError == .notFound(path: path))
                    }
                }
            }
        }
        #expect(try harness.logFiles().isEmpty)
    }
}
