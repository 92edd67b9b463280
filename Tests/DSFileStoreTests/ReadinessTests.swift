import DSFileStore
import DSStore
import DSTestSupport
import Foundation
import NIOCore
import Testing

/// `/readyz` with the file store: ready while the store is open and its data directory writable.
struct ReadinessTests {
    @Test func notReadyWhileTheDataDirectoryIsNotWritable() async throws {
        let harness = try FileStoreHarness()
        defer { harness.remove() }
        try await harness.withServer { (server: TestServer) async throws in
            #expect(try await server.request(.GET, "/readyz").status == .ok)
            // The log directory disappears under the store (a volume unmounted, a directory removed by hand).
            let moved = harness.directory.path + "/streams-away"
            try FileManager.default.moveItem(atPath: harness.streamsDirectory, toPath: moved)
            let notReady = try await server.request(.GET, "/readyz")
            #expect(notReady.status == .serviceUnavailable)
            #expect(notReady.text.contains("not writable"))
            try FileManager.default.moveItem(atPath: moved, toPath: harness.streamsDirectory)
            #expect(try await server.request(.GET, "/readyz").status == .ok)
        }
    }

    @Test func aReadOnlyStoreIsNotReady() async throws {
        var harness = try FileStoreHarness()
        defer { harness.remove() }
        try await harness.withStore { _ in }
        harness.options.readOnly = true
        try await harness.withServer { (server: TestServer) async throws in
            let response = try await server.request(.GET, "/readyz")
            #expect(response.status == .serviceUnavailable)
            #expect(response.text.contains("read-only"))
        }
    }

    @Test func aClosedStoreIsNotReady() async throws {
        let harness = try FileStoreHarness()
        defer { harness.remove() }
        let store = try harness.open()
        try await store.readiness(on: StoreCalls.loop).get()
        try await store.close()
        await #expect(throws: StoreError.unavailable("the store is closed")) { try await store.readiness(on: StoreCalls.loop).get() }
    }

    /// The test support wrapper forwards readiness rather than taking the protocol's always-ready default.
    @Test func theTemporaryStoreForwardsReadiness() async throws {
        let store = try TemporaryFileStore()
        try await store.readiness(on: StoreCalls.loop).get()
        try await store.close()
        await #expect(throws: StoreError.self) { try await store.readiness(on: StoreCalls.loop).get() }
    }
}
