import Dispatch
import Foundation
import Synchronization
import Testing

@testable import durable_streams_server

/// The background log writer: whole lines, nothing lost after `flush()`, and the bound on pending bytes.
struct LogOutputTests {
    /// Bytes handed to a sink, and how many batches carried them.
    final class Collected: Sendable {
        let state = Mutex<(bytes: [UInt8], batches: Int)>(([], 0))
        var text: String { String(decoding: state.withLock { $0.bytes }, as: UTF8.self) }
        var batches: Int { state.withLock { $0.batches } }
        func sink(_ bytes: UnsafeRawBufferPointer) {
            state.withLock {
                $0.bytes.append(contentsOf: bytes)
                $0.batches += 1
            }
        }
    }

    @Test func linesFromManyThreadsStayWholeAndAllArriveAfterFlush() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ds-logoutput-\(UUID().uuidString).log").path
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        try #require(descriptor >= 0)
        defer {
            close(descriptor)
            unlink(path)
        }
        let output = LogOutput(pendingLimit: 64 << 20, sink: LogOutput.writer(for: descriptor))
        let threads = 8
        let linesPerThread = 3_000
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            for index in 0..<linesPerThread {
                // Lines of different lengths, long enough that a torn write would show.
                let padding = String(repeating: "x", count: (index * 7 + thread) % 200)
                output.append(Array("thread=\(thread) index=\(index) \(padding) end\n".utf8))
            }
        }
        output.flush()
        let text = try String(contentsOfFile: path, encoding: .utf8)
        output.stop()

        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(text.hasSuffix("\n"))
        #expect(lines.count == threads * linesPerThread)
        var next = [Int](repeating: 0, count: threads)
        for line in lines {
            let fields = line.split(separator: " ", omittingEmptySubsequences: false)
            guard fields.count == 4, fields[3] == "end",
                let thread = Int(fields[0].dropFirst("thread=".count)), let index = Int(fields[1].dropFirst("index=".count)),
                fields[2] == String(repeating: "x", count: (index * 7 + thread) % 200)
            else {
                Issue.record("torn or foreign line: \(line.prefix(120))")
                return
            }
            // Each thread's lines arrive once each, in the order it logged them.
            #expect(index == next[thread])
            next[thread] = index + 1
        }
        #expect(next == [Int](repeating: linesPerThread, count: threads))
    }

    @Test func linesBeyondTheBoundAreDroppedAndReported() throws {
        let collected = Collected()
        let writing = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let first = Mutex(true)
        let output = LogOutput(pendingLimit: 100, lingerMicroseconds: 0) { bytes in
            collected.sink(bytes)
            if first.withLock({ isFirst in defer { isFirst = false }; return isFirst }) {
                writing.signal()
                release.wait()  // hold the writer inside its first write while the test fills the buffer
            }
        }
        output.setDropReport { count in Array("dropped \(count)\n".utf8) }
        output.append(Array("first....\n".utf8))
        try #require(writing.wait(timeout: .now() + 60) == .success)
        // Ten 10-byte lines fill the 100-byte bound; the next five are dropped.
        for index in 0..<15 { output.append(Array("line \(String(index).padding(toLength: 4, withPad: ".", startingAt: 0))\n".utf8)) }
        release.signal()
        output.flush()
        output.stop()
        let expected = "first....\n" + (0..<10).map { "line \(String($0).padding(toLength: 4, withPad: ".", startingAt: 0))\n" }.joined() + "dropped 5\n"
        #expect(collected.text == expected)
    }

    @Test func aSlowWriterGetsLinesInBatches() throws {
        let collected = Collected()
        let writing = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let first = Mutex(true)
        let output = LogOutput(pendingLimit: 1 << 20, lingerMicroseconds: 0) { bytes in
            collected.sink(bytes)
            if first.withLock({ isFirst in defer { isFirst = false }; return isFirst }) {
                writing.signal()
                release.wait()
            }
        }
        output.append(Array("first\n".utf8))
        try #require(writing.wait(timeout: .now() + 60) == .success)
        for index in 0..<1_000 { output.append(Array("line \(index)\n".utf8)) }
        release.signal()
        output.flush()
        output.stop()
        // The thousand lines queued behind the first write go out in one write.
        #expect(collected.batches == 2)
        #expect(collected.text == "first\n" + (0..<1_000).map { "line \($0)\n" }.joined())
    }

    @Test func flushWithNothingPendingReturnsAndStoppedOutputsDropLines() {
        let collected = Collected()
        let output = LogOutput(pendingLimit: 1 << 20, sink: collected.sink)
        output.flush()
        output.append(Array("one\n".utf8))
        output.stop()
        output.append(Array("after stop\n".utf8))
        output.flush()
        #expect(collected.text == "one\n")
    }
}
