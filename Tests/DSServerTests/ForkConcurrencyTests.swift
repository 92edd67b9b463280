import DSTestSupport
import NIOCore
import NIOHTTP1
import Testing

/// Fork creation racing the deletion of its source: whatever the interleaving, every fork that was created
/// holds exactly one reference and every refused one holds none, so deleting the created forks collects the source.
struct ForkConcurrencyTests {
    @Test(arguments: StoreKind.allCases)
    func forksRacingTheSourcesDeletionKeepTheCountExact(_ kind: StoreKind) async throws {
        try await TestServer.with(kind) { server in
            for round in 0..<4 {
                let source = uniquePath("source-\(round)")
                try await server.createStream(source, body: "data")
                let forks = (0..<12).map { uniquePath("fork-\(round)-\($0)") }
                let created = try await withThrowingTaskGroup(of: String?.self) { group in
                    for fork in forks {
                        group.addTask {
                            let response = try await server.fork(fork, from: source)
                            switch response.status {
                            case .created: return fork
                            case .conflict, .notFound: return nil  // the source was (soft-)deleted first
                            default: throw TestFailure("fork answered \(response.status): \(response.text)")
                            }
                        }
                    }
                    group.addTask {
                        let deleted = try await server.request(.DELETE, source)
                        guard deleted.status == .noContent else { throw TestFailure("delete answered \(deleted.status)") }
                        return nil
                    }
                    var created: [String] = []
                    for try await fork in group { if let fork { created.append(fork) } }
                    return created
                }
                for fork in created {
                    #expect(try await server.read(fork).text == "data")
                    #expect(try await server.request(.DELETE, fork).status == .noContent)
                }
                try await eventually("the source to be collected") { try await server.headStatus(source) == .notFound }
                #expect(try await server.request(.PUT, source, headers: [("Content-Type", "text/plain")]).status == .created)
            }
        }
    }
}
