import DSFileStore
import DSProtocol
import DSStore
import DSTestSupport
import Foundation
import NIOCore
import Testing

/// Many forks in one data directory: fans from one source and deep chains are created concurrently, survive a
/// restart (ancestries rebuilt, reference counts exact), and are all collected once deleted.
struct ForkScaleTests {
    static let fanOut = 10_000
    static let chainDepth = 200

    @Test(.timeLimit(.minutes(10)))
    func tenThousandForksAndADeepChainSurviveARestart() async throws {
        let harness = try FileStoreHarness()
        defer { harness.remove() }
        let source = "source"
        let chain = (0..<Self.chainDepth).map { "chain-\($0)" }
        let creating = ContinuousClock.now
        let fanned = try await harness.withStore { store in
            try await StoreCalls.create(store, source, contentType: "application/json", body: "[0]")
            for index in 1...9 { try await StoreCalls.append(store, source, "[\(index)]", contentType: "application/json") }
            // Fans: fork at every message boundary, with sub-offsets counting into later messages.
            try await ScaleTests.forEach(0..<Self.fanOut, concurrency: 512) { index in
                let request = CreateStreamRequest(
                    path: Self.fan(index),
                    contentType: nil,
                    fork: ForkSpec(sourcePath: source, offset: StreamOffset(position: UInt64(index % 10) * 2), subOffset: UInt64(Self.subOffset(index)))
                )
                _ = try await store.create(request, on: StoreCalls.loop).get()
            }
            let fanned = ContinuousClock.now - creating
            // A chain: each link forks the previous one at its tail and appends one message.
            var previous = source
            for (depth, link) in chain.enumerated() {
                _ = try await store.create(CreateStreamRequest(path: link, contentType: nil, fork: ForkSpec(sourcePath: previous, offset: nil)), on: StoreCalls.loop).get()
                try await StoreCalls.append(store, link, "[\(100 + depth)]", contentType: "application/json")
                previous = link
            }
            return fanned
        }
        let created = ContinuousClock.now - creating

        let opening = ContinuousClock.now
        let store = try harness.open()
        let opened = ContinuousClock.now - opening
        print("file store: created a source and \(Self.fanOut) forks of it in \(fanned), a chain of \(Self.chainDepth) more in \(created - fanned); reopened in \(opened)")
        do {
            #expect(store.streamCount == 1 + Self.fanOut + Self.chainDepth)
            for index in [0, 1, 2, 13, 9_999] {
                // The stored form: every message followed by `,`.
                let expected = (0..<(index % 10 + Self.subOffset(index))).map { "\($0)," }.joined()
                #expect(StoreCalls.text(try await StoreCalls.read(store, Self.fan(index))) == expected, "fork \(index)")
            }
            let whole = ((0..<10).map { $0 } + (0..<Self.chainDepth).map { 100 + $0 }).map { "\($0)," }.joined()
            #expect(StoreCalls.text(try await StoreCalls.read(store, chain[chain.count - 1])) == whole)

            // Delete the source and the chain from the top: everything is soft-deleted until the last leaves go.
            _ = try await store.delete(path: source, now: .now(), on: StoreCalls.loop).get()
            for link in chain.dropLast() { _ = try await store.delete(path: link, now: .now(), on: StoreCalls.loop).get() }
            try await ScaleTests.forEach(0..<Self.fanOut, concurrency: 512) { index in
                _ = try await store.delete(path: Self.fan(index), now: .now(), on: StoreCalls.loop).get()
            }
            #expect(store.streamCount == Self.chainDepth + 1)
            let collecting = ContinuousClock.now
            _ = try await store.delete(path: chain[chain.count - 1], now: .now(), on: StoreCalls.loop).get()
            #expect(store.streamCount == 0)
            print("file store: deleting the last link collected \(Self.chainDepth) soft-deleted streams in \(ContinuousClock.now - collecting)")
            try await store.close()
        } catch {
            try? await store.close()
            throw error
        }
        try await harness.withStore { store in #expect(store.streamCount == 0) }
        #expect(try harness.logFiles().isEmpty)
    }

    static func fan(_ index: Int) -> String { "fan/\(index)" }

    /// Up to two messages past the anchor (each source message is 2 stored bytes), never past the tail.
    static func subOffset(_ index: Int) -> Int { min(index % 3, 10 - index % 10) }
}
