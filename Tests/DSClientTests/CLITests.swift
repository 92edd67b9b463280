import DSClient
import DSServer
import DSTestSupport
import Foundation
import Testing

/// The `durable-stream` executable, end to end against an embedded server.
struct CLITests {
    /// The tool's environment for `server`.
    static func env(_ server: TestServer, _ extra: [String: String] = [:]) -> [String: String] {
        ["STREAM_URL": server.url("")].merging(extra) { $1 }
    }

    @Test func createWriteReadHeadCloseDelete() async throws {
        try await TestServer.with { server in
            let id = uniquePath("cli")
            let env = Self.env(server)
            let created = try await CLIProcess.run(["create", id, "--content-type", "text/plain", "--ttl", "600"], environment: env)
            #expect(created.status == 0, "\(created.stderr)")

            #expect(try await CLIProcess.run(["write", id, #"one\ttwo\nthree\\"#], environment: env).status == 0)
            let piped = try await CLIProcess.run(["write", id], environment: env, stdin: Array(" and stdin\n".utf8))
            #expect(piped.status == 0, "\(piped.stderr)")

            let head = try await CLIProcess.run(["head", id], environment: env)
            #expect(head.status == 0)
            #expect(head.stdout.contains("content-type: text/plain"))
            #expect(head.stdout.contains("closed: false"))
            #expect(head.stdout.contains("ttl: 600"))

            let expected = "one\ttwo\nthree\\ and stdin\n"
            let snapshot = try await CLIProcess.run(["read", id, "--no-follow"], environment: env)
            #expect(snapshot.status == 0)
            #expect(snapshot.stdout == expected)

            #expect(try await CLIProcess.run(["close", id], environment: env).status == 0)
            #expect(try await CLIProcess.run(["head", id], environment: env).stdout.contains("closed: true"))
            // Following a closed stream prints everything and ends at its end.
            let followed = try await CLIProcess.run(["read", id], environment: env)
            #expect(followed.status == 0)
            #expect(followed.stdout == expected)

            let late = try await CLIProcess.run(["write", id, "late"], environment: env)
            #expect(late.status != 0)
            #expect(late.stderr.contains("closed"))

            #expect(try await CLIProcess.run(["delete", id], environment: env).status == 0)
            let missing = try await CLIProcess.run(["read", id], environment: env)
            #expect(missing.status != 0)
            #expect(missing.stderr.contains("does not exist"))
            #expect(missing.stdout.isEmpty)
        }
    }

    @Test func readFollowsLiveDataUntilTheStreamCloses() async throws {
        try await TestServer.with { server in
            let id = uniquePath("cli")
            let stream = DurableStream(url: server.url(id))
            try await stream.create(contentType: "text/plain", initialData: StreamBody(text: "first;"))
            let reader = try CLIProcess(["read", id], environment: Self.env(server))
            try await reader.waitForOutput { $0 == "first;" }
            try await stream.append("second;")
            try await reader.waitForOutput { $0 == "first;second;" }
            try await stream.close(final: StreamBody(text: "last"))
            #expect(try await reader.exit() == 0)
            #expect(reader.stdout == "first;second;last")
        }
    }

    @Test func jsonWritesAndReadsOneMessagePerLine() async throws {
        try await TestServer.with { server in
            let id = uniquePath("cli")
            let env = Self.env(server)
            #expect(try await CLIProcess.run(["create", id, "--json"], environment: env).status == 0)
            #expect(try await CLIProcess.run(["write", id, #"{"a": 1}"#, "--json"], environment: env).status == 0)
            #expect(try await CLIProcess.run(["write", id, #"[{"b":2},{"c":3}]"#, "--batch-json"], environment: env).status == 0)
            // Without --batch-json an array is one message.
            #expect(try await CLIProcess.run(["write", id, "[1,2]", "--json"], environment: env).status == 0)
            #expect(try await CLIProcess.run(["write", id, "--json"], environment: env, stdin: Array(#""piped""#.utf8)).status == 0)

            // --batch-json flattens one level only: a lone object is one message, a nested array one message.
            #expect(try await CLIProcess.run(["write", id, #"{"d":4}"#, "--batch-json"], environment: env).status == 0)
            #expect(try await CLIProcess.run(["write", id, "[[5,6]]", "--batch-json"], environment: env).status == 0)

            let invalid = try await CLIProcess.run(["write", id, "{nope", "--json"], environment: env)
            #expect(invalid.status != 0)
            #expect(invalid.stderr.contains("not valid JSON"))

            let read = try await CLIProcess.run(["read", id, "--no-follow"], environment: env)
            #expect(read.status == 0)
            #expect(read.stdout == "{\"a\": 1}\n{\"b\":2}\n{\"c\":3}\n[1,2]\n\"piped\"\n{\"d\":4}\n[5,6]\n")
        }
    }

    @Test func authAndURLOptionsOverrideTheEnvironment() async throws {
        try await TestServer.with { server in
            let proxy = try await FaultProxy.start(targetPort: server.port)
            defer { Task { try? await proxy.stop() } }
            let id = uniquePath("cli")
            try await DurableStream(url: server.url(id)).create(contentType: "text/plain")
            let proxied = proxy.url(server.url(""))

            // From the environment.
            let fromEnv = try await CLIProcess.run(["head", id], environment: ["STREAM_URL": proxied, "STREAM_AUTH": "Bearer env-token"])
            #expect(fromEnv.status == 0, "\(fromEnv.stderr)")
            // Flags win over the environment, before or after the subcommand.
            let unreachable = ["STREAM_URL": "http://127.0.0.1:9/v1/stream", "STREAM_AUTH": "Bearer env-token"]
            let before = try await CLIProcess.run(["--url", proxied, "--auth", "Basic ZmxhZw==", "write", id, "x"], environment: unreachable)
            #expect(before.status == 0, "\(before.stderr)")
            let after = try await CLIProcess.run(["read", id, "--no-follow", "--url", proxied, "--auth", "Bearer flag-token"], environment: unreachable)
            #expect(after.status == 0, "\(after.stderr)")
            #expect(after.stdout == "x")

            let auth = proxy.requestHeads.map { head in
                head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("authorization:") }.map(String.init)
            }
            #expect(auth.first == "authorization: Bearer env-token" || auth.first == "Authorization: Bearer env-token")
            #expect(auth.contains { $0?.hasSuffix("Basic ZmxhZw==") == true })
            #expect(auth.last??.hasSuffix("Bearer flag-token") == true)
            #expect(!auth.contains(nil))
        }
    }

    @Test func createWithoutATypeMakesABinaryStream() async throws {
        try await TestServer.with { server in
            let id = uniquePath("cli")
            let env = Self.env(server)
            let created = try await CLIProcess.run(["create", id], environment: env)
            #expect(created.status == 0, "\(created.stderr)")
            let head = try await CLIProcess.run(["head", id], environment: env)
            #expect(head.stdout.contains("content-type: application/octet-stream"))
        }
    }

    @Test func anUnreachableServerIsReportedInsteadOfRetriedForever() async throws {
        // Nothing listens on port 9 of the loopback address: every connection attempt is refused.
        // One-shot commands give up after a few quick retries; a following read keeps trying for several
        // seconds (to ride out a server restart) before it gives up too.
        for command in [["head"], ["write", "x"], ["read", "--no-follow"], ["read"]] {
            let id = uniquePath("cli")
            let process = try CLIProcess(
                [command[0], id] + command.dropFirst(), environment: ["STREAM_URL": "http://127.0.0.1:9/v1/stream"]
            )
            let result = (status: try await process.exit(within: 90), stderr: process.stderr)
            #expect(result.status == 1, "\(command): \(result.stderr)")
            #expect(result.stderr.contains("cannot reach the server"), "\(command): \(result.stderr)")
            #expect(result.stderr.contains("http://127.0.0.1:9/v1/stream/\(id)"), "\(command): \(result.stderr)")
        }
    }

    @Test func theDefaultServerIsLocalhostPort4437() async throws {
        // With neither STREAM_URL nor --url the tool talks to http://localhost:4437/v1/stream. Whether or not a
        // server runs there (and whatever it answers), a stream that was never created cannot be read, and
        // every error names the URL.
        let id = uniquePath("cli-default")
        let result = try await CLIProcess.run(["head", id])
        #expect(result.status == 1)
        #expect(result.stderr.contains("http://localhost:4437/v1/stream/\(id)"), "\(result.stderr)")
    }

    @Test func authIsAcceptedByAServerThatRequiresATokenAndMissingAuthIsReported() async throws {
        let authorizer = BearerTokenAuthorizer(grants: [.fullAccess(token: "s3cret")])
        try await TestServer.with(configure: { $0.authorizer = authorizer }) { server in
            let id = uniquePath("cli-auth")
            let denied = try await CLIProcess.run(["create", id], environment: Self.env(server))
            #expect(denied.status != 0)
            #expect(denied.stderr.contains("401") || denied.stderr.contains("403"))
            #expect(denied.stderr.contains(server.url(id)), "the error does not name the stream's URL: \(denied.stderr)")

            let env = Self.env(server, ["STREAM_AUTH": "Bearer s3cret"])
            #expect(try await CLIProcess.run(["create", id, "--content-type", "text/plain"], environment: env).status == 0)
            #expect(try await CLIProcess.run(["write", id, "hello"], environment: env).status == 0)
            let read = try await CLIProcess.run(["read", id, "--no-follow"], environment: env)
            #expect(read.status == 0)
            #expect(read.stdout == "hello")
        }
    }

    @Test func forkCopiesTheSourceUpToTheOffset() async throws {
        try await TestServer.with { server in
            let proxy = try await FaultProxy.start(targetPort: server.port)
            defer { Task { try? await proxy.stop() } }
            let source = uniquePath("cli-source")
            let fork = uniquePath("cli-fork")
            let latest = uniquePath("cli-fork-tail")
            let stream = DurableStream(url: server.url(source))
            let created = try await stream.create(contentType: "text/plain", initialData: StreamBody(text: "abc"))
            try await stream.append("def")
            let env = ["STREAM_URL": proxy.url(server.url(""))]

            let forked = try await CLIProcess.run(["fork", fork, "--from", source, "--offset", created.nextOffset.rawValue], environment: env)
            #expect(forked.status == 0, "\(forked.stderr)")
            let head = try #require(proxy.requestHeads.first { $0.hasPrefix("PUT ") })
            #expect(head.hasPrefix("PUT \(server.urlPath(fork)) HTTP/1.1"))
            #expect(head.contains("\r\nStream-Forked-From: \(server.urlPath(source))"))
            #expect(head.contains("\r\nStream-Fork-Offset: \(created.nextOffset.rawValue)"))
            #expect(try await CLIProcess.run(["read", fork, "--no-follow"], environment: env).stdout == "abc")

            // Without --offset the fork takes everything the source holds.
            #expect(try await CLIProcess.run(["fork", latest, "--from", source], environment: env).status == 0)
            #expect(try await CLIProcess.run(["read", latest, "--no-follow"], environment: env).stdout == "abcdef")

            let orphan = try await CLIProcess.run(["fork", uniquePath("cli-orphan"), "--from", uniquePath("missing")], environment: env)
            #expect(orphan.status != 0)
        }
    }
}
