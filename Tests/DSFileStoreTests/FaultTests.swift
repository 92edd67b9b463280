import DSFileStore
import DSProtocol
import DSStore
import DSTestSupport
import Foundation
import NIOCore
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Disk full, read-only directories and I/O errors: clear errors, nothing acknowledged that is not stored,
/// reads keep working, and writes resume once the fault is gone.
struct FaultTests {
    struct Case: Sendable, CustomStringConvertible {
        var step: WriterStep
        var errno: Int32
        var status: UInt
        var reason: String
        var description: String { "\(step) fails with errno \(errno)" }
    }

    static let cases: [Case] = [
        Case(step: .writeLog, errno: ENOSPC, status: 507, reason: "insufficient storage"),
        Case(step: .syncJournal, errno: EIO, status: 503, reason: "store unavailable"),
        Case(step: .writeJournal, errno: ENOSPC, status: 507, reason: "insufficient storage"),
        Case(step: .commitMetadata, errno: ENOSPC, status: 507, reason: "insufficient storage"),
        Case(step: .createLog, errno: EROFS, status: 503, reason: "read-only"),
    ]

    @Test(arguments: cases)
    func aFailedGroupCommitIsNotAcknowledgedAndLeavesNoTrace(_ fault: Case) async throws {
        let faults = FaultSwitch()
        var harness = try FileStoreHarness()
        harness.options.faultInjector = faults.injector
        defer { harness.remove() }
        let path = uniquePath("fault")
        // A first append creates the log; the other steps are exercised on a stream that has one.
        let before = fault.step == .createLog ? "" : "before "
        let producer = [("Producer-Id", "p"), ("Producer-Epoch", "0")]
        try await harness.withServer { server in
            try await server.createStream(path)
            if !before.isEmpty { try await server.appendText(path, before) }

            faults.fail(fault.step, with: fault.errno)
            let refused = try await server.request(.POST, path, headers: [("Content-Type", "text/plain"), ("Producer-Seq", "0")] + producer, text: "lost")
            #expect(refused.status.code == fault.status)
            #expect(refused.text.contains(fault.reason))
            // Reads go on, and see nothing of the refused append.
            let during = try await server.request(.GET, path)
            #expect(during.status == .ok)
            #expect(during.text == before)
            #expect(during.nextOffset == StreamOffset(position: UInt64(before.utf8.count)).description)

            faults.clear()
            // The refused request was not stored, so its retry is new data (200), not a duplicate (204).
            let retried = try await server.request(.POST, path, headers: [("Content-Type", "text/plain"), ("Producer-Seq", "0")] + producer, text: "after")
            #expect(retried.status == .ok)
            let now = try await server.request(.GET, path)
            #expect(now.text == before + "after")
        }
        try await harness.withServer { server in
            let restarted = try await server.request(.GET, path)
            #expect(restarted.text == before + "after")
        }
    }

    @Test func aFailedCreateLeavesNoStream() async throws {
        let faults = FaultSwitch()
        var harness = try FileStoreHarness()
        harness.options.faultInjector = faults.injector
        defer { harness.remove() }
        try await harness.withServer { server in
            faults.fail(.commitMetadata, with: EIO)
            let refused = try await server.request(.PUT, "s", headers: [("Content-Type", "text/plain")], text: "initial")
            #expect(refused.status == .serviceUnavailable)
            let missing = try await server.request(.GET, "s")
            #expect(missing.status == .notFound)
            faults.clear()
            try await server.createStream("s", body: "initial")
        }
        try await harness.withServer { server in
            let read = try await server.request(.GET, "s")
            #expect(read.text == "initial")
        }
        #expect(try harness.logFiles().count == 1)
    }
}
