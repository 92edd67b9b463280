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
    private func runFailing(_ arguments: [String], environment: [String: String] = [:]) throws -> (Int32, String) {
        let process = try ChildProcess(
            executable: ServerProcess.executablePath,
            arguments: arguments,
            environment: ProcessInfo.processInfo.environment.merging(environment) { _, new in new },
            standardOutput: .null,
            standardError: .pipe
        )
        let message = String(decoding: process.standardError!.readDataToEndOfFile(), as: UTF8.self)
        return (process.waitUntilExit(), message)
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
        let server = try ServerProcess(
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
        #expect(try server.stop(timeoutSeconds: 60) == 0)
    }

    @Test func theConfigFileCanComeFromTheEnvironment() async throws {
        let config = try writeConfig(#"{"stream-root": "/from-env-file/", "port": 0}"#)
        defer { try? FileManager.default.removeItem(atPath: config) }
        let server = try ServerProcess(arguments: ["dev"], environment: ["DS_CONFIG": config])
        #expect(server.streamRootURL.hasSuffix("/from-env-file/"))
        #expect(try server.stop(timeoutSeconds: 60) == 0)
    }

    @Test func invalidConfigurationNamesTheKey() throws {
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
        ]
        for (arguments, environment, expected) in cases {
            let (status, message) = try runFailing(arguments, environment: environment)
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
        let server = try ServerProcess(arguments: ["dev", "--config", config, "--no-registry"])
        let path = "in/" + uniquePath()
        #expect(try await request(.PUT, server.streamRootURL + path).status == .unauthorized)
        #expect(try await request(.PUT, server.streamRootURL + path, headers: [("Authorization", "Bearer ingest-secret")]).status == .created)
        #expect(try await request(.GET, server.streamRootURL + path, headers: [("Authorization", "Bearer viewer-secret")]).status == .ok)
        #expect(try await request(.DELETE, server.streamRootURL + path, headers: [("Authorization", "Bearer viewer-secret")]).status == .forbidden)
        #expect(try server.stop(timeoutSeconds: 60) == 0)

        let bad = try writeConfig(#"{"auth-tokens": [{"token": "x", "admin": true}]}"#)
        defer { try? FileManager.default.removeItem(atPath: bad) }
        let (status, message) = try runFailing(["dev", "--config", bad])
        #expect(status != 0)
        #expect(message.contains("'auth-tokens' in \(bad): entry 1: unknown key 'admin'"))
    }
}
