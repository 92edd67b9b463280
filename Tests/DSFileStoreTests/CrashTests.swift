import AsyncHTTPClient
import DSTestSupport
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization
import Testing

/// `kill -9` the real server while many writers append, restart it, and check every acknowledged append
/// is there exactly once, nothing partial is served, and acknowledged producer requests stay duplicates.
///
/// After each kill the logs are also cut back to what was on disk when the round started, as a power loss
/// would leave them: a group's log writes are synced only through the shared journal (the logs themselves at
/// checkpoints, which these small rounds never reach), so the restart must bring them back from the journal.
struct CrashTests {
    /// One stream under test.
    struct Target: Sendable {
        var path: String
        var json: Bool
    }

    /// An append the server answered with success.
    struct Ack: Sendable {
        var stream: Int
        var token: String
        var nextOffset: String
    }

    /// A producer request: acknowledged last, or in flight when the server died.
    struct ProducerRequest: Sendable {
        var stream: Int
        var writer: Int
        var epoch: Int
        var seq: Int
        var token: String
    }

    static let targets = [
        Target(path: "crash-text-a", json: false),
        Target(path: "crash-text-b", json: false),
        Target(path: "crash-json", json: true),
    ]
    static let writers = 12
    static let acksPerRound = 150

    @Test(.timeLimit(.minutes(5)))
    func everyAcknowledgedAppendSurvivesKillDashNine() async throws {
        let directory = try TemporaryDirectory(prefix: "ds-crash")
        defer { directory.remove() }
        var acked: [Ack] = []
        var producers: [ProducerRequest] = []
        for round in 0..<3 {
            let server = try await ServerProcess.start(dataDirectory: directory.path)
            // Recovery synced every log it replayed or cut: this much of each is on disk.
            let durable = try Self.logSizes(directory.path)
            if round == 0 {
                for target in Self.targets {
                    let created = try await Self.send(.PUT, server, target.path, contentType: target.json ? "application/json" : "text/plain", body: "")
                    #expect(created.status == .created)
                }
            }
            try await Self.verify(server, acked: acked)
            try await Self.retry(producers, server, acked: &acked)
            let outcome = try await Self.writeUntilKilled(server, round: round)
            #expect(outcome.acked.count >= Self.acksPerRound)
            acked += outcome.acked
            producers = outcome.producers
            try Self.dropUnsyncedLogBytes(directory.path, keeping: durable)
        }
        let server = try await ServerProcess.start(dataDirectory: directory.path)
        try await Self.verify(server, acked: acked)
        try await Self.retry(producers, server, acked: &acked)
        try await Self.verify(server, acked: acked)
        await server.stop()
    }

    // MARK: - Writing

    /// Runs the writers until `acksPerRound` appends were acknowledged, kills the server, and lets them fail.
    private static func writeUntilKilled(_ server: ServerProcess, round: Int) async throws -> (acked: [Ack], producers: [ProducerRequest]) {
        let progress = Progress()
        await withTaskGroup(of: Void.self) { group in
            for writer in 0..<writers {
                group.addTask {
                    let stream = writer % targets.count
                    let target = targets[stream]
                    let usesProducer = writer % 2 == 0
                    var seq = 0
                    // After the kill, stop sending: connecting to the dead port would retry until the request deadline.
                    while !progress.killed.load(ordering: .acquiring) {
                        let token = "r\(round)w\(writer)n\(seq)"
                        let body = target.json ? #"{"t":"\#(token)"}"# : token + ";"
                        let request = ProducerRequest(stream: stream, writer: writer, epoch: round, seq: seq, token: token)
                        let headers = usesProducer ? producerHeaders(request) : []
                        guard let response = try? await send(.POST, server, target.path, contentType: target.json ? "application/json" : "text/plain", body: body, headers: headers),
                            response.status == .noContent || response.status == .ok
                        else {
                            let wasKilled = progress.killed.load(ordering: .acquiring)
                            #expect(wasKilled, "an append failed before the kill")
                            if usesProducer { progress.results.withLock { $0.producers.append(request) } }
                            return
                        }
                        let ack = Ack(stream: stream, token: token, nextOffset: response.headers.first(name: "Stream-Next-Offset") ?? "")
                        progress.results.withLock {
                            $0.acked.append(ack)
                            if usesProducer { $0.producers.removeAll { $0.writer == writer }; $0.producers.append(request) }
                        }
                        if progress.count.add(1, ordering: .relaxed).newValue == acksPerRound {
                            progress.killed.store(true, ordering: .releasing)
                            await server.kill()
                        }
                        seq += 1
                    }
                }
            }
        }
        return progress.results.withLock { $0 }
    }

    /// Shared by the writers of one round.
    private final class Progress: Sendable {
        let count = Atomic<Int>(0)
        let killed = Atomic<Bool>(false)
        let results = Mutex<(acked: [Ack], producers: [ProducerRequest])>(([], []))
    }

    private static func producerHeaders(_ request: ProducerRequest) -> [(String, String)] {
        [("Producer-Id", "w\(request.writer)"), ("Producer-Epoch", String(request.epoch)), ("Producer-Seq", String(request.seq))]
    }

    // MARK: - Power loss

    /// The size of every log of the data directory.
    private static func logSizes(_ directory: String) throws -> [String: UInt64] {
        let streams = directory + "/streams"
        var sizes: [String: UInt64] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: streams) {
            sizes[name] = (try FileManager.default.attributesOfItem(atPath: streams + "/" + name)[.size] as? NSNumber)?.uint64Value ?? 0
        }
        return sizes
    }

    /// Cuts every log back to its size in `durable` (a log created since keeps its directory entry, made durable
    /// before its first append was answered, but none of its bytes).
    private static func dropUnsyncedLogBytes(_ directory: String, keeping durable: [String: UInt64]) throws {
        for (name, size) in try logSizes(directory) where size > durable[name] ?? 0 {
            try truncateFile(directory + "/streams/" + name, to: durable[name] ?? 0)
        }
    }

    // MARK: - Checking

    /// Every acknowledged token is stored exactly once, every stored token is whole, and each acknowledged
    /// `Stream-Next-Offset` still ends right after its token.
    private static func verify(_ server: ServerProcess, acked: [Ack]) async throws {
        for (index, target) in targets.enumerated() {
            let response = try await send(.GET, server, target.path)
            #expect(response.status == .ok)
            let body = String(buffer: response.body)
            let tokens: [String]
            if target.json {
                let messages = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [[String: String]])
                tokens = messages.compactMap { $0["t"] }
                #expect(tokens.count == messages.count, "a stored JSON message is not one the writers sent")
            } else {
                #expect(body.isEmpty || body.hasSuffix(";"), "a text stream ends in a partial token")
                tokens = body.split(separator: ";").map(String.init)
            }
            #expect(tokens.allSatisfy { $0.wholeMatch(of: /r\d+w\d+n\d+/) != nil }, "a partial or foreign token was served")
            var seen = Set<String>()
            for token in tokens { #expect(seen.insert(token).inserted, "\(token) is stored twice") }
            for ack in acked where ack.stream == index {
                #expect(seen.contains(ack.token), "acknowledged \(ack.token) is missing")
                if !target.json, let end = Int(ack.nextOffset.suffix(16)) {
                    #expect(String(decoding: body.utf8.prefix(end), as: UTF8.self).hasSuffix(ack.token + ";"), "\(ack.token) does not end at its offset")
                }
            }
        }
    }

    /// Retries the last request of every producer: an acknowledged one is a duplicate (`204`); one that was
    /// in flight at the kill is stored at most once whatever its fate was.
    private static func retry(_ requests: [ProducerRequest], _ server: ServerProcess, acked: inout [Ack]) async throws {
        for request in requests {
            let target = targets[request.stream]
            let body = target.json ? #"{"t":"\#(request.token)"}"# : request.token + ";"
            let wasAcked = acked.contains { $0.token == request.token }
            let response = try await send(.POST, server, target.path, contentType: target.json ? "application/json" : "text/plain", body: body, headers: producerHeaders(request))
            if wasAcked {
                #expect(response.status == .noContent, "retry of acknowledged \(request.token) was not a duplicate")
            } else {
                #expect(response.status == .ok || response.status == .noContent)
                acked.append(Ack(stream: request.stream, token: request.token, nextOffset: ""))
            }
        }
    }

    private static func send(
        _ method: HTTPMethod,
        _ server: ServerProcess,
        _ path: String,
        contentType: String? = nil,
        body: String? = nil,
        headers: [(String, String)] = []
    ) async throws -> ServerProcess.Reply {
        try await server.send(method, path, contentType: contentType, body: body, headers: headers)
    }
}
