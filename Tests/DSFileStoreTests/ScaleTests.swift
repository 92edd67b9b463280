import DSFileStore
import DSProtocol
import DSStore
import DSTestSupport
import Foundation
import NIOCore
import Testing

/// A data directory with 100,000 streams opens, serves every stream, and keeps its open files bounded.
struct ScaleTests {
    static let streamCount = 100_000
    /// Every 100th stream gets data (and so a log file); the others are metadata only.
    static let dataEvery = 100

    @Test(.timeLimit(.minutes(10)))
    func aHundredThousandStreamsSurviveARestart() async throws {
        let harness = try FileStoreHarness()
        defer { harness.remove() }
        let created = ContinuousClock.now
        try await harness.withStore { store in
            try await Self.forEach(0..<Self.streamCount, concurrency: 1024) { index in
                let body = index % Self.dataEvery == 0 ? "data of \(index)" : ""
                try await StoreCalls.create(store, Self.path(index), body: body)
            }
        }
        let creating = ContinuousClock.now - created
        #expect(try harness.logFiles().count == Self.streamCount / Self.dataEvery)

        let opening = ContinuousClock.now
        let store = try harness.open()
        let opened = ContinuousClock.now - opening
        print("file store: created \(Self.streamCount) streams in \(creating); reopened them in \(opened)")
        do {
            #expect(store.streamCount == Self.streamCount)
            // Read every stream that has data, many at once: more logs than the pool may keep open.
            try await Self.forEach(stride(from: 0, to: Self.streamCount, by: Self.dataEvery), concurrency: 64) { index in
                let read = try await StoreCalls.read(store, Self.path(index))
                guard StoreCalls.text(read) == "data of \(index)" else { throw TestFailure("wrong data in \(Self.path(index))") }
            }
            let empty = try await StoreCalls.metadata(store, Self.path(Self.streamCount - 1))
            #expect(empty.tail == .zero)
            try await StoreCalls.append(store, Self.path(1), "late")
            try await store.close()
        } catch {
            try? await store.close()
            throw error
        }
    }

    static func path(_ index: Int) -> String { "tenant-\(index % 97)/stream-\(index)" }

    /// Runs `body` for every element with at most `concurrency` calls in flight.
    static func forEach<S: Sequence & Sendable>(
        _ elements: S,
        concurrency: Int,
        _ body: @escaping @Sendable (S.Element) async throws -> Void
    ) async throws where S.Element: Sendable {
        try await withThrowingTaskGroup(of: Void.self) { group in
            var inFlight = 0
            for element in elements {
                if inFlight == concurrency {
                    try await group.next()
                    inFlight -= 1
                }
                group.addTask { try await body(element) }
                inFlight += 1
            }
            try await group.waitForAll()
        }
    }
}
