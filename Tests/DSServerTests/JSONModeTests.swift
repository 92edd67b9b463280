import DSTestSupport
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// JSON mode (PROTOCOL.md §9.1).
struct JSONModeTests {
    private func post(_ server: TestServer, _ path: String, _ body: String) async throws -> TestResponse {
        try await server.request(.POST, path, headers: [("Content-Type", "application/json")], text: body)
    }

    @Test(arguments: StoreKind.allCases)
    func arraysAreFlattenedExactlyOneLevel(store: StoreKind) async throws {
        try await TestServer.with(store) { (server: TestServer) async throws in
            let path = uniquePath()
            try await server.createStream(path, contentType: "application/json")
            #expect(try await post(server, path, #"{"event": "created"}"#).status == .noContent)
            #expect(try await post(server, path, #"[{"event":"a"}, {"event":"b"}]"#).status == .noContent)
            #expect(try await post(server, path, "[[1,2], [3,4]]").status == .noContent)
            #expect(try await post(server, path, "[[[1,2,3]]]").status == .noContent)
            #expect(try await post(server, path, " \"text\" ").status == .noContent)
            let read = try await server.request(.GET, path)
            #expect(read.header("Content-Type") == "application/json")
            #expect(read.text == #"[{"event": "created"},{"event":"a"},{"event":"b"},[1,2],[3,4],[[1,2,3]],"text"]"#)
            let messages = try #require(try read.json() as? [Any])
            #expect(messages.count == 7)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func invalidJSONAndEmptyArraysAreRejected(store: StoreKind) async throws {
        try await TestServer.with(store) { (server: TestServer) async throws in
            let path = uniquePath()
            try await server.createStream(path, contentType: "application/json")
            for bad in ["{", "[1,]", "{'a':1}", "01", "[1] [2]", "NaN", "\"\u{01}\""] {
                let response = try await post(server, path, bad)
                #expect(response.status == .badRequest, "body \(bad)")
                #expect(response.text.contains("JSON"))
            }
            #expect(try await post(server, path, "[]").status == .badRequest)
            #expect(try await post(server, path, " [ ] ").status == .badRequest)
            // Nothing was stored by the rejected requests.
            #expect(try await server.request(.GET, path).text == "[]")
            let invalidCreate = try await server.request(.PUT, uniquePath(), headers: [("Content-Type", "application/json")], text: "{nope")
            #expect(invalidCreate.status == .badRequest)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func putWithAnEmptyArrayCreatesAnEmptyStream(store: StoreKind) async throws {
        try await TestServer.with(store) { (server: TestServer) async throws in
            let path = uniquePath()
            let created = try await server.request(.PUT, path, headers: [("Content-Type", "application/json")], text: "[]")
            #expect(created.status == .created)
            #expect(try await server.request(.GET, path).text == "[]")
            #expect(try await post(server, path, "[1,2]").status == .noContent)
            #expect(try await server.request(.GET, path).text == "[1,2]")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func chunkedJSONReadsReturnWholeMessages(store: StoreKind) async throws {
        try await TestServer.with(store, configure: { $0.readChunkBytes = 20 }) { (server: TestServer) async throws in
            let path = uniquePath()
            try await server.createStream(path, contentType: "application/json")
            let messages = (0..<30).map { #"{"n":\#($0),"pad":"\#(String(repeating: "p", count: $0 % 7))"}"# }
            _ = try await post(server, path, "[" + messages.joined(separator: ",") + "]")
            var offset = "-1"
            var collected: [String] = []
            for _ in 0..<100 {
                let read = try await server.request(.GET, "\(path)?offset=\(offset)")
                let array = try #require(try read.json() as? [[String: Any]])
                #expect(!array.isEmpty)
                for object in array {
                    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
                    collected.append(String(decoding: data, as: UTF8.self))
                }
                offset = try #require(read.nextOffset)
                if read.header("Stream-Up-To-Date") == "true" { break }
            }
            #expect(collected.count == 30)
            #expect(collected.first == #"{"n":0,"pad":""}"#)
        }
    }
}
