import DSTestSupport
import NIOCore
import NIOHTTP1
import Testing

/// Reference counting, soft delete and cascading collection (PROTOCOL.md §4.2 "Soft-delete and lifecycle", §5.4).
///
/// Deleting a fork drops its reference at once; collecting a soft-deleted source MAY happen asynchronously,
/// so those checks poll with a timeout.
struct ForkDeletionTests {
    @Test(arguments: StoreKind.allCases)
    func deletingASourceWithForksSoftDeletesIt(_ kind: StoreKind) async throws {
        try await TestServer.with(kind) { server in
            let source = uniquePath("source")
            let first = try await server.createStream(source, body: "kept ").nextOffset!
            try await server.appendText(source, "data")
            let fork = uniquePath("fork")
            try await server.createFork(fork, from: source)
            try await server.appendText(fork, " + fork")

            #expect(try await server.request(.DELETE, source).status == .noContent)

            #expect(try await server.read(source).status == .gone)
            #expect(try await server.read(source, offset: first, query: "&live=long-poll").status == .gone)
            #expect(try await server.read(source, offset: first, query: "&live=sse").status == .gone)
            #expect(try await server.headStatus(source) == .gone)
            #expect(try await server.request(.POST, source, headers: [("Content-Type", "text/plain")], text: "more").status == .gone)
            #expect(try await server.request(.POST, source, headers: [("Stream-Closed", "true")]).status == .gone)
            #expect(try await server.request(.DELETE, source).status == .gone)
            // The path stays blocked, whatever the configuration asked for.
            #expect(try await server.request(.PUT, source, headers: [("Content-Type", "text/plain")]).status == .conflict)
            #expect(try await server.request(.PUT, source, headers: [("Content-Type", "application/json")]).status == .conflict)

            // The fork keeps reading the source's data and stays writable.
            #expect(try await server.read(fork).text == "kept data + fork")
            #expect(try await server.read(fork, offset: first).text == "data + fork")
            try await server.appendText(fork, "!")
            #expect(try await server.read(fork).text == "kept data + fork!")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func deletingTheLastForkCollectsTheSoftDeletedSource(_ kind: StoreKind) async throws {
        try await TestServer.with(kind) { server in
            let source = uniquePath("source")
            try await server.createStream(source, body: "data")
            let one = uniquePath("one")
            let two = uniquePath("two")
            try await server.createFork(one, from: source)
            try await server.createFork(two, from: source)
            #expect(try await server.request(.DELETE, source).status == .noContent)

            #expect(try await server.request(.DELETE, one).status == .noContent)
            #expect(try await server.headStatus(one) == .notFound)
            // One fork remains: the source is still soft-deleted and its data still read.
            #expect(try await server.headStatus(source) == .gone)
            #expect(try await server.read(two).text == "data")

            #expect(try await server.request(.DELETE, two).status == .noContent)
            try await eventually("the source to be collected") { try await server.headStatus(source) == .notFound }
            let recreated = try await server.request(.PUT, source, headers: [("Content-Type", "text/plain")])
            #expect(recreated.status == .created)
            #expect(try await server.read(source).text == "")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func collectionCascadesUpAChainThreeDeep(_ kind: StoreKind) async throws {
        try await TestServer.with(kind) { server in
            let a = uniquePath("a")
            try await server.createStream(a, body: "a")
            let b = uniquePath("b")
            try await server.createFork(b, from: a)
            try await server.appendText(b, "b")
            let c = uniquePath("c")
            try await server.createFork(c, from: b)
            try await server.appendText(c, "c")
            let d = uniquePath("d")
            try await server.createFork(d, from: c)
            try await server.appendText(d, "d")

            for path in [a, b, c] {
                #expect(try await server.request(.DELETE, path).status == .noContent)
                #expect(try await server.headStatus(path) == .gone)
            }
            #expect(try await server.read(d).text == "abcd")
            try await server.appendText(d, "!")
            #expect(try await server.read(d).text == "abcd!")

            #expect(try await server.request(.DELETE, d).status == .noContent)
            #expect(try await server.headStatus(d) == .notFound)
            for path in [c, b, a] {
                try await eventually("\(path) to be collected") { try await server.headStatus(path) == .notFound }
                #expect(try await server.request(.PUT, path, headers: [("Content-Type", "text/plain")]).status == .created)
            }
        }
    }

    /// The cascade stops at the first ancestor that is still live or still has other forks.
    @Test(arguments: StoreKind.allCases)
    func cascadeStopsAtAStreamStillInUse(_ kind: StoreKind) async throws {
        try await TestServer.with(kind) { server in
            let root = uniquePath("root")
            try await server.createStream(root, body: "r")
            let middle = uniquePath("middle")
            try await server.createFork(middle, from: root)
            let sibling = uniquePath("sibling")
            try await server.createFork(sibling, from: root)
            let leaf = uniquePath("leaf")
            try await server.createFork(leaf, from: middle)

            #expect(try await server.request(.DELETE, root).status == .noContent)
            #expect(try await server.request(.DELETE, middle).status == .noContent)
            #expect(try await server.request(.DELETE, leaf).status == .noContent)
            // `middle` goes; `root` stays soft-deleted for `sibling`.
            try await eventually("middle to be collected") { try await server.headStatus(middle) == .notFound }
            #expect(try await server.headStatus(root) == .gone)
            #expect(try await server.read(sibling).text == "r")

            #expect(try await server.request(.DELETE, sibling).status == .noContent)
            try await eventually("root to be collected") { try await server.headStatus(root) == .notFound }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func deletingForksFirstLeavesTheSourceLive(_ kind: StoreKind) async throws {
        try await TestServer.with(kind) { server in
            let a = uniquePath("a")
            try await server.createStream(a, body: "a")
            let b = uniquePath("b")
            try await server.createFork(b, from: a)
            let c = uniquePath("c")
            try await server.createFork(c, from: b)

            #expect(try await server.request(.DELETE, c).status == .noContent)
            #expect(try await server.request(.DELETE, b).status == .noContent)
            #expect(try await server.headStatus(b) == .notFound)
            #expect(try await server.headStatus(a) == .ok)
            try await server.appendText(a, "live")
            // No forks left: deleting `a` removes it at once.
            #expect(try await server.request(.DELETE, a).status == .noContent)
            #expect(try await server.headStatus(a) == .notFound)
            #expect(try await server.request(.PUT, a, headers: [("Content-Type", "text/plain")]).status == .created)
        }
    }

    /// A soft-deleted fork in the middle of a chain keeps serving its own data to the forks below it.
    @Test(arguments: StoreKind.allCases)
    func softDeletedMiddleForkKeepsItsOwnDataForItsForks(_ kind: StoreKind) async throws {
        try await TestServer.with(kind) { server in
            let a = uniquePath("a")
            try await server.createStream(a, contentType: "application/json", body: "[1]")
            let b = uniquePath("b")
            try await server.createFork(b, from: a)
            try await server.appendJSON(b, "[2]")
            let c = uniquePath("c")
            try await server.createFork(c, from: b)
            try await server.appendJSON(c, "[3]")

            #expect(try await server.request(.DELETE, b).status == .noContent)
            #expect(try await server.headStatus(b) == .gone)
            #expect(try await server.read(c).text == "[1,2,3]")
            // `a` was never deleted and `b` still references it.
            #expect(try await server.read(a).text == "[1]")
            #expect(try await server.request(.DELETE, a).status == .noContent)
            #expect(try await server.headStatus(a) == .gone)
            #expect(try await server.read(c).text == "[1,2,3]")
        }
    }
}
