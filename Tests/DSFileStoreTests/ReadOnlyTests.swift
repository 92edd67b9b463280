import DSFileStore
import DSStore
import DSTestSupport
import Foundation
import NIOCore
import Testing

/// A data directory served read-only (by option, or because its file system is read-only): reads work,
/// every write is refused with `503`, and nothing on disk changes.
struct ReadOnlyTests {
    @Test func aReadOnlyStoreServesReadsAndRefusesWrites() async throws {
        var harness = try FileStoreHarness()
        defer { harness.remove() }
        try await harness.withServer { server in
            try await server.createStream("s", contentType: "application/json", body: #"[{"a":1}]"#)
            try await server.appendText("s", #"{"b":2}"#, contentType: "application/json")
        }
        let log = try harness.logFile(of: "s")
        try appendBytes([1, 2, 3], toFile: log)  // an unacknowledged tail a writable store would cut
        let size = try harness.fileSize(log)

        harness.options.readOnly = true
        try await harness.withServer { server in
            let read = try await server.request(.GET, "s")
            #expect(read.status == .ok)
            #expect(read.text == #"[{"a":1},{"b":2}]"#)
            let head = try await server.request(.HEAD, "s")
            #expect(head.status == .ok)
            let refused: [(String, TestResponse)] = [
                ("append", try await server.request(.POST, "s", headers: [("Content-Type", "application/json")], text: "3")),
                ("create", try await server.request(.PUT, "t", headers: [("Content-Type", "text/plain")])),
                ("delete", try await server.request(.DELETE, "s")),
            ]
            for (operation, response) in refused {
                #expect(response.status == .serviceUnavailable, "\(operation)")
                #expect(response.text.contains("read-only"), "\(operation)")
            }
        }
        #expect(try harness.fileSize(log) == size)

        harness.options.readOnly = false
        try await harness.withServer { server in
            try await server.appendText("s", "3", contentType: "application/json")
            let read = try await server.request(.GET, "s")
            #expect(read.text == #"[{"a":1},{"b":2},3]"#)
        }
    }
}
