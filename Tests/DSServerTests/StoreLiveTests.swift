import AsyncHTTPClient
import DSProtocol
import DSServer
import DSStore
import DSTestSupport
import Foundation
import NIOCore
import Testing

/// Behaviour that depends on when a store completes its work (synchronously in memory, after fsync on
/// disk): live readers woken by appends, closure and deletion; concurrent appends. Runs on every store.
struct StoreLiveTests {
    @Test(arguments: StoreKind.allCases)
    func aLongPollAtTheTailWakesWithTheNextAppend(_ kind: StoreKind) async throws {
        try await TestServer.with(kind) { server in
            let path = uniquePath("poll")
            let created = try await server.createStream(path, body: "old")
            let tail = try #require(created.nextOffset)
            async let poll = server.request(.GET, "\(path)?offset=\(tail)&live=long-poll")
            try await server.appendText(path, "new")
            let answer = try await poll
            #expect(answer.status == .ok)
            #expect(answer.text == "new")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aLongPollAtTheTailSeesClosureAndDeletion(_ kind: StoreKind) async throws {
        try await TestServer.with(kind) { server in
            let closing = uniquePath("closing")
            let tail = try #require(try await server.createStream(closing, body: "x").nextOffset)
            async let closedPoll = server.request(.GET, "\(closing)?offset=\(tail)&live=long-poll")
            try await server.request(.POST, closing, headers: [("Stream-Closed", "true")])
            let closed = try await closedPoll
            #expect(closed.status == .noContent)
            #expect(closed.header("Stream-Closed") == "true")

            let deleting = uniquePath("deleting")
            let deletingTail = try #require(try await server.createStream(deleting).nextOffset)
            async let deletedPoll = server.request(.GET, "\(deleting)?offset=\(deletingTail)&live=long-poll")
            try await server.request(.DELETE, deleting)
            let deleted = try await deletedPoll
            #expect(deleted.status == .notFound)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func sseDeliversAppendsAndEndsAtClosure(_ kind: StoreKind) async throws {
        try await TestServer.with(kind) { server in
            let path = uniquePath("sse")
            try await server.createStream(path, contentType: "application/json", body: #"[{"n":0}]"#)
            let reader = try await SSEReader.open(server.url("\(path)?offset=-1&live=sse"))
            #expect(reader.status == .ok)
            async let collected = reader.events()
            for n in 1...3 { try await server.appendText(path, #"{"n":\#(n)}"#, contentType: "application/json") }
            try await server.request(.POST, path, headers: [("Stream-Closed", "true")])
            let (events, ended) = try await collected
            #expect(ended)
            let messages = try events.filter { $0.event == "data" }.flatMap { event in
                try #require(try JSONSerialization.jsonObject(with: Data(event.data.utf8)) as? [[String: Int]])
            }
            #expect(messages.map { $0["n"] } == [0, 1, 2, 3])
            let last = try #require(events.last { $0.event == "control" }).controlObject()
            #expect(last["streamClosed"] as? Bool == true)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func concurrentAppendsEachLandOnceAtTheirOffset(_ kind: StoreKind) async throws {
        try await TestServer.with(kind) { server in
            let path = uniquePath("concurrent")
            try await server.createStream(path)
            let acks = try await withThrowingTaskGroup(of: (String, String).self) { group in
                for index in 0..<40 {
                    group.addTask {
                        let token = "<\(index)>"
                        let response = try await server.appendText(path, token)
                        return (token, try #require(response.nextOffset))
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let content = try await server.request(.GET, path).text
            #expect(Set(acks.map(\.1)).count == acks.count)
            for (token, offset) in acks {
                let end = try #require(StreamOffset(offset)).position
                #expect(String(decoding: content.utf8.prefix(Int(end)), as: UTF8.self).hasSuffix(token), "\(token) does not end at \(offset)")
                #expect(content.components(separatedBy: token).count == 2, "\(token) is not stored exactly once")
            }
        }
    }
}
