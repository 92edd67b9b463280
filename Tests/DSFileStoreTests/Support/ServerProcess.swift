import AsyncHTTPClient
import DSTestSupport
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The real `durable-streams-server` executable, run as a child process on a data directory.
final class ServerProcess: Sendable {
    let port: Int
    private let process: ChildProcess
    private let output: Output

    /// What the server printed, collected as it arrives.
    private final class Output: Sendable {
        let text = Mutex("")
    }

    private init(process: ChildProcess, port: Int, output: Output) {
        self.process = process
        self.port = port
        self.output = output
    }

    /// The executable next to the test bundle in the build products directory.
    static var executable: URL {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("durable-streams-server")
    }

    /// Starts `run --data-dir` on an ephemeral port and waits (at most `timeout`) until it listens.
    static func start(dataDirectory: String, timeout: Duration = .seconds(60)) async throws -> ServerProcess {
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw TestFailure("\(executable.path) is missing; `swift build` builds it along with the tests")
        }
        let process = try ChildProcess(
            executable: executable.path,
            arguments: ["run", "--data-dir", dataDirectory, "--port", "0", "--no-compression"],
            standardOutput: .pipe,
            standardError: .output
        )
        let output = Output()
        let (lines, continuation) = AsyncStream.makeStream(of: String.self)
        // A blocking reader thread rather than FileHandle.readabilityHandler, which has crashed libdispatch on
        // Linux when the pipe went away under it.
        let handle = process.standardOutput!
        Thread.detachNewThread {
            while true {
                let data = handle.availableData
                if data.isEmpty { break }
                let text = String(decoding: data, as: UTF8.self)
                output.text.withLock { $0 += text }
                continuation.yield(text)
            }
            continuation.finish()
        }
        let port = try await withThrowingTaskGroup(of: Int?.self) { group in
            group.addTask {
                var seen = ""
                for await text in lines {
                    seen += text
                    if let port = Self.listeningPort(in: seen) { return port }
                }
                return nil
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            return first
        }
        guard let port else {
            process.send(SIGTERM)
            throw TestFailure("the server did not start: \(output.text.withLock { $0 })")
        }
        return ServerProcess(process: process, port: port, output: output)
    }

    /// `http://127.0.0.1:<port>/v1/stream/`
    var streamRootURL: String { "http://127.0.0.1:\(port)/v1/stream/" }

    /// Everything the server printed so far.
    var printed: String { output.text.withLock { $0 } }

    /// `kill -9`: no chance to flush, close or answer anything.
    func kill() async {
        process.send(SIGKILL)
        await waitForExit()
    }

    /// SIGTERM: a graceful stop.
    func stop() async {
        process.send(SIGTERM)
        await waitForExit()
    }

    private func waitForExit() async {
        let process = self.process
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                process.waitUntilExit()
                continuation.resume()
            }
        }
    }

    private static func listeningPort(in text: String) -> Int? {
        guard let range = text.range(of: "listening on http://127.0.0.1:") else { return nil }
        let digits = text[range.upperBound...].prefix { $0.isNumber }
        guard text[range.upperBound...].dropFirst(digits.count).first == "/" else { return nil }
        return Int(digits)
    }
}

extension ServerProcess {
    /// A collected response.
    struct Reply: Sendable {
        var status: HTTPResponseStatus
        var headers: HTTPHeaders
        var body: ByteBuffer

        var text: String { String(buffer: body) }
    }

    /// Enough connections for every concurrent writer of the crash tests: a request queued for a connection
    /// when the server dies would retry connecting to the dead port until its deadline.
    static let client = HTTPClient(
        eventLoopGroupProvider: .singleton,
        configuration: HTTPClient.Configuration(
            connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 32)
        )
    )

    /// Sends one request to a stream path below the root and collects the response.
    func send(
        _ method: HTTPMethod,
        _ path: String,
        contentType: String? = nil,
        body: String? = nil,
        headers: [(String, String)] = []
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: streamRootURL + path)
        request.method = method
        if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await Self.client.execute(request, timeout: .seconds(20))
        let bytes = try await response.body.collect(upTo: 64 << 20)
        return Reply(status: response.status, headers: response.headers, body: bytes)
    }
}
