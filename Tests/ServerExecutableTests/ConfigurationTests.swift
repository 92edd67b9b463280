import AsyncHTTPClient
import DSTestSupport
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// The executable's configuration: a JSON file, `DS_` environment variables and flags, with flags over the
/// environment over the file, and invalid configuration refused at start with the key named.
struct ConfigurationTests {
    private func request(_ method: HTTPMethod, _ url: String, headers: [(String, String)] = [], body: String? = nil) async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        return try await TestHTTPClient.shared.execute(request, timeout: .seconds(30))
    }

    private func writeConfig(_ json: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ds-config-\(UUID().uuidString).json").path
        try json.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Runs the executable expecting it to refuse to start; returns its exit status and standard error.
    /// The wait happens off the concurrency pool (see `runBlocking`).
    private func runFailing(_ arguments: [String], environment: [String: String] = [:]) async throws -> (Int32, String) {
        try await runBlocking {
            let process = try ChildProcess(
                executable: ServerProcess.executablePath,
                arguments: arguments,
                environment: ProcessInfo.processInfo.environment.merging(environment) { _, new in new },
                standardOutput: .capture,
                standardError: .capture
            )
            let message = ChildProcess.readToEnd(process.standardError)
            return (process.waitForExit(), message)
        }
    }

    @Test func flagsBeatEnvironmentWhichBeatsTheFile() async throws {
        let config = try writeConfig("""
            {
              "stream-root": "/file/",
              "max-body-bytes": 10,
              "cors-origin": "https://file.example",
              "registry": false
            }
            """)
        defer { try? FileManager.default.removeItem(atPath: config) }
        let server = try await ServerProcess.start(
            arguments: ["dev", "--config", config, "--port", "0", "--stream-root", "/flag/"],
            environment: ["DS_STREAM_ROOT": "/env/", "DS_MAX_BODY_BYTES": "20"]
        )
        #expect(server.streamRootURL.hasSuffix("/flag/"))
        let path = uniquePath()
        let created = try await request(.PUT, server.streamRootURL + path, headers: [("Content-Type", "text/plain")])
        #expect(created.status == .created)
        #expect(created.headers.first(name: "Access-Control-Allow-Origin") == "https://file.example")
        let fifteen = String(repeating: "x", count: 15)
        #expect(try await request(.POST, server.streamRootURL + path, headers: [("Content-Type", "text/plain")], body: fifteen).status == .noContent)
        let tooLarge = String(repeating: "x", count: 21)
        #expect(try await request(.POST, server.streamRootURL + path, headers: [("Content-Type", "text/plain")], body: tooLarge).status == .payloadTooLarge)
        #expect(try await request(.GET, server.streamRootURL + "__registry__").status == .notFound)
        #expect(try await server.stop(timeoutSeconds: 60) == 0)
    }

    @Test func theConfigFileCanComeFromTheEnvironment() async throws {
        let config = try writeConfig(#"{"stream-root": "/from-env-file/", "port": 0}"#)
        defer { try? FileManager.default.removeItem(atPath: config) }
        let server = try await ServerProcess.start(arguments: ["dev"], environment: ["DS_CONFIG": config])
        #expect(server.streamRootURL.hasSuffix("/from-env-file/"))
        #expect(try await server.stop(timeoutSeconds: 60) == 0)
    }

    @Test func invalidConfigurationNamesTheKey() async throws {
        let unknown = try writeConfig(#"{"prot": 80}"#)
        let wrongType = try writeConfig(#"{"port": "80"}"#)
        let notJSON = try writeConfig("port = 80")
        defer { for path in [unknown, wrongType, notJSON] { try? FileManager.default.removeItem(atPath: path) } }
        let cases: [([String], [String: String], String)] = [
            (["dev", "--config", unknown], [:], "'prot' in \(unknown): unknown key"),
            (["dev", "--config", wrongType], [:], "'port' in \(wrongType): expected an integer"),
            (["dev", "--config", notJSON], [:], "not valid JSON"),
            (["dev", "--config", "/nonexistent/ds.json"], [:], "cannot read /nonexistent/ds.json"),
            (["dev"], ["DS_PORT": "eighty"], "DS_PORT: expected an integer, got 'eighty'"),
            (["dev", "--port", "70000"], [:], "--port: must be between 0 and 65535"),
            (["dev", "--port", "0", "--log-level", "loud"], [:], "--log-level: must be one of"),
            (["dev", "--port", "0", "--protect-metrics", "true"], [:], "--protect-metrics: protects nothing"),
            (["dev", "--port", "0", "--tls-cert", "/nonexistent/cert.pem"], [:], "--tls-cert: needs tls-key"),
            (["dev", "--port", "0", "--trusted-proxies", "10.0.0.0/99"], [:], "--trusted-proxies: '10.0.0.0/99' is not"),
            (["dev", "--port", "0"], ["DS_RATE_LIMIT": "-1"], "DS_RATE_LIMIT: must be greater than 0"),
            (["dev", "--port", "0", "--metrics-path", "/v1/stream/metrics"], [:], "--metrics-path: /v1/stream/metrics must lie outside"),
            (["dev", "--port", "0"], ["DS_DATA_DIR": "/tmp/never-used"], "DS_DATA_DIR: configures the durable store: use 'run'"),
            (["run", "--port", "0"], [:], "data-dir: is required"),
            (["run", "--port", "0", "--data-dir", "/tmp/never-used", "--max-open-files", "0"], [:], "--max-open-files: must be between 1"),
            (["dev", "--port", "0", "--public-url", "https://x.example/path"], [:], "--public-url: expected scheme://host[:port]"),
            (["dev", "--port", "0"], ["DS_WEBHOOK_TIMEOUT_MS": "5"], "DS_WEBHOOK_TIMEOUT_MS: must be between 100"),
        ]
        for (arguments, environment, expected) in cases {
            let (status, message) = try await runFailing(arguments, environment: environment)
            #expect(status != 0, "\(arguments) \(environment)")
            #expect(message.contains(expected), "\(arguments) \(environment): \(message)")
        }
    }

    @Test func scopedTokensComeFromTheFile() async throws {
        let config = try writeConfig("""
            {
              "port": 0,
              "auth-tokens": [
                {"name": "ingest", "token": "ingest-secret", "read": ["in/"], "write": ["in/"]},
                {"name": "viewer", "token": "viewer-secret", "read": [""]}
              ]
            }
            """)
        defer { try? FileManager.default.removeItem(atPath: config) }
        let server = try await ServerProcess.start(arguments: ["dev", "--config", config, "--no-registry"])
        let path = "in/" + uniquePath()
        #expect(try await request(.PUT, server.streamRootURL + path).status == .unauthorized)
        #expect(try await request(.PUT, server.streamRootURL + path, headers: [("Authorization", "Bearer ingest-secret")]).status == .created)
        #expect(try await request(.GET, server.streamRootURL + path, headers: [("Authorization", "Bearer viewer-secret")]).status == .ok)
        #expect(try await request(.DELETE, server.streamRootURL + path, headers: [("Authorization", "Bearer viewer-secret")]).status == .forbidden)
        #expect(try await server.stop(timeoutSeconds: 60) == 0)

        let bad = try writeConfig(#"{"auth-tokens": [{"token": "x", "admin": true}]}"#)
        defer { try? FileManager.default.removeItem(atPath: bad) }
        let (status, message) = try await runFailing(["dev", "--config", bad])
        #expect(status != 0)
        #expect(message.contains("'auth-tokens' in \(bad): entry 1: unknown key 'admin'"))

        let badScope = try writeConfig(#"{"auth-tokens": [{"token": "x", "subscriptions": ["own"]}]}"#)
        defer { try? FileManager.default.removeItem(atPath: badScope) }
        let (scopeStatus, scopeMessage) = try await runFailing(["dev", "--config", badScope])
        #expect(scopeStatus != 0)
        #expect(scopeMessage.contains("entry 1: 'subscriptions' must be true, false or a list of read, manage, claim"))
    }

    /// `run` takes its data directory from the config file like any other option, and the example config
    /// in Docs/ (every option) is accepted as it is.
    @Test func runReadsTheDataDirectoryFromTheConfigFile() async throws {
        let directory = try TemporaryDirectory(prefix: "ds-config-run")
        defer { directory.remove() }
        let config = try writeConfig(#"{"data-dir": "\#(directory.path)", "port": 0, "max-open-files": 32}"#)
        defer { try? FileManager.default.removeItem(atPath: config) }
        let server = try await ServerProcess.start(arguments: ["run", "--config", config])
        #expect(server.banner.contains("file store in \(directory.path)"))
        #expect(try await request(.PUT, server.streamRootURL + uniquePath(), headers: [("Content-Type", "text/plain")]).status == .created)
        #expect(try await server.stop(timeoutSeconds: 60) == 0)
        #expect(FileManager.default.fileExists(atPath: directory.path + "/meta"))
        #expect(FileManager.default.fileExists(atPath: directory.path + "/subscriptions/signing-key.json"))

        let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Docs/server.example.json").path
        let exampleDirectory = try TemporaryDirectory(prefix: "ds-config-example")
        defer { exampleDirectory.remove() }
        let exampleServer = try await ServerProcess.start(arguments: ["run", "--config", example, "--data-dir", exampleDirectory.path, "--port", "0"])
        #expect(exampleServer.banner.contains("file store in \(exampleDirectory.path)"))
        #expect(try await exampleServer.stop(timeoutSeconds: 60) == 0)
    }
}
