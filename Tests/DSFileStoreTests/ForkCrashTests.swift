import DSTestSupport
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization
import Testing

/// `kill -9` the real server while clients grow fork chains, append to the forks and delete them, then restart:
/// every acknowledged fork reads exactly its inherited data plus its own, every acknowledged delete held, and
/// reference counts are exact — once every fork and the root are deleted, the whole tree is collected.
struct ForkCrashTests {
    /// What one fork request is known to have done.
    struct Fork: Sendable {
        /// Everything the fork inherits.
        var prefix: String
        /// What its own append writes.
        var token: String
        var created = false
        var appended = false
        var deleteSent = false
        var deleted = false
    }

    static let root = "fork-crash-root"
    static let workers = 8
    static let acksPerRound = 120

    @Test(.timeLimit(.minutes(5)))
    func forksAndReferenceCountsSurviveKillDashNine() async throws {
        let directory = try TemporaryDirectory(prefix: "ds-fork-crash")
        defer { directory.remove() }
        var forks: [String: Fork] = [:]
        for round in 0..<3 {
            let server = try await ServerProcess.start(dataDirectory: directory.path)
            if round == 0 {
                #expect(try await server.send(.PUT, Self.root, contentType: "text/plain", body: "root;").status == .created)
            }
            try await Self.verify(server, forks)
            forks.merge(try await Self.forkUntilKilled(server, round: round)) { $1 }
        }
        let server = try await ServerProcess.start(dataDirectory: directory.path)
        try await Self.verify(server, forks)
        try await Self.deleteEverything(server, forks)
        await server.stop()
    }

    /// Each worker grows its own chain from the root: fork the last link at its tail, append a token, and
    /// delete the link two back (which its child still reads, so it is soft-deleted). The server is killed
    /// after `acksPerRound` acknowledged requests.
    private static func forkUntilKilled(_ server: ServerProcess, round: Int) async throws -> [String: Fork] {
        let progress = Progress()
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<workers {
                group.addTask {
                    var chain: [(path: String, content: String)] = [(root, "root;")]
                    var index = 0
                    while !progress.killed.load(ordering: .acquiring) {
                        let path = "fork-r\(round)-w\(worker)-\(index)"
                        let parent = chain[chain.count - 1]
                        let token = "r\(round)w\(worker)n\(index);"
                        progress.forks.withLock { $0[path] = Fork(prefix: parent.content, token: token) }
                        let forkHeaders = [("Stream-Forked-From", "/v1/stream/" + parent.path)]
                        guard await progress.acknowledged(try? await server.send(.PUT, path, headers: forkHeaders), expecting: .created, server: server) else { return }
                        progress.forks.withLock { $0[path]?.created = true }
                        guard await progress.acknowledged(try? await server.send(.POST, path, contentType: "text/plain", body: token), expecting: .noContent, server: server) else { return }
                        progress.forks.withLock { $0[path]?.appended = true }
                        chain.append((path, parent.content + token))
                        if chain.count > 3 {
                            let doomed = chain[chain.count - 3].path
                            progress.forks.withLock { $0[doomed]?.deleteSent = true }
                            guard await progress.acknowledged(try? await server.send(.DELETE, doomed), expecting: .noContent, server: server) else { return }
                            progress.forks.withLock { $0[doomed]?.deleted = true }
                        }
                        index += 1
                    }
                }
            }
        }
        return progress.forks.withLock { $0 }
    }

    /// Every fork is in a state its acknowledged requests allow, and reads exactly what it should.
    private static func verify(_ server: ServerProcess, _ forks: [String: Fork]) async throws {
        for (path, fork) in forks.sorted(by: { $0.key < $1.key }) {
            let read = try await server.send(.GET, path + "?offset=-1")
            let content = read.text
            let whole = content == fork.prefix + fork.token
            switch read.status {
            case .ok:
                #expect(!fork.deleted, "\(path) was deleted")
                #expect(whole || (!fork.appended && content == fork.prefix), "\(path) reads \(content)")
            case .notFound, .gone:
                #expect(!fork.created || fork.deleteSent, "\(path) was created and not deleted, yet answers \(read.status)")
            default:
                Issue.record("\(path) answered \(read.status): \(content)")
            }
        }
    }

    /// Deletes every fork (in no particular order) and the root; with exact reference counts everything is then
    /// collected and every path answers 404.
    private static func deleteEverything(_ server: ServerProcess, _ forks: [String: Fork]) async throws {
        for path in forks.keys.sorted() + [root] {
            let status = try await server.send(.DELETE, path).status
            #expect([.noContent, .notFound, .gone].contains(status), "DELETE \(path) answered \(status)")
        }
        for path in forks.keys.sorted() + [root] {
            let deadline = ContinuousClock.now + .seconds(30)
            var status = try await server.send(.HEAD, path).status
            while status != .notFound && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
                status = try await server.send(.HEAD, path).status
            }
            #expect(status == .notFound, "\(path) was not collected")
        }
        #expect(try await server.send(.PUT, root, contentType: "text/plain").status == .created)
    }

    /// Shared by the workers of one round.
    private final class Progress: Sendable {
        let count = Atomic<Int>(0)
        let killed = Atomic<Bool>(false)
        let forks = Mutex<[String: Fork]>([:])

        /// Whether `reply` is the expected success; counts it and kills the server at the round's quota. A failure
        /// is only acceptable once the server was killed.
        func acknowledged(_ reply: ServerProcess.Reply?, expecting status: HTTPResponseStatus, server: ServerProcess) async -> Bool {
            guard let reply, reply.status == status else {
                let wasKilled = killed.load(ordering: .acquiring)
                #expect(wasKilled, "a request failed before the kill: \(reply.map { "\($0.status) \($0.text)" } ?? "no answer")")
                return false
            }
            if count.add(1, ordering: .relaxed).newValue == ForkCrashTests.acksPerRound {
                killed.store(true, ordering: .releasing)
                await server.kill()
            }
            return true
        }
    }
}
