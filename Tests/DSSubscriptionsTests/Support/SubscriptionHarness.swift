import Crypto
import DSProtocol
import DSServer
import DSStore
import DSSubscriptions
import DSTestSupport
import Foundation
import NIOCore
import NIOHTTP1

/// An embedded server with the subscription service, plus JSON helpers for the `__ds` API.
struct SubscriptionHarness: Sendable {
    let server: TestServer

    /// Runs `body` against a fresh server with subscriptions (development mode on by default).
    static func with<T: Sendable>(
        _ kind: StoreKind,
        options: SubscriptionOptions = SubscriptionOptions(developmentMode: true),
        store: (any StreamStore)? = nil,
        configure: (inout ServerOptions) -> Void = { _ in },
        _ body: (SubscriptionHarness) async throws -> T
    ) async throws -> T {
        try await TestServer.with(kind, configure: { serverOptions in
            if let store { serverOptions.store = store }
            serverOptions.longPollTimeout = .seconds(5)
            serverOptions.controlAPI = SubscriptionService(options: options)
            configure(&serverOptions)
        }) { server in
            try await body(SubscriptionHarness(server: server))
        }
    }

    /// A JSON request to a `__ds` path (relative to the stream root).
    @discardableResult
    func call(_ method: HTTPMethod, _ path: String, json: Any? = nil, token: String? = nil) async throws -> TestResponse {
        var headers: [(String, String)] = [("Content-Type", "application/json")]
        if let token { headers.append(("Authorization", "Bearer \(token)")) }
        let body = try json.map { ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: $0)) }
        return try await server.request(method, "__ds/" + path, headers: headers, body: body)
    }

    /// `PUT` a subscription and return the response.
    @discardableResult
    func putSubscription(_ id: String, _ config: [String: Any]) async throws -> TestResponse {
        try await call(.PUT, "subscriptions/\(id)", json: config)
    }

    /// `GET` a subscription, requiring `200`.
    func subscription(_ id: String) async throws -> [String: Any] {
        let response = try await call(.GET, "subscriptions/\(id)")
        guard response.status == .ok else { throw TestFailure("GET \(id) answered \(response.status): \(response.text)") }
        return try object(response)
    }

    /// The acked offset of `path` in the subscription, if linked.
    func ackedOffset(_ id: String, _ path: String) async throws -> String? {
        try await link(id, path)?["acked_offset"] as? String
    }

    /// The serialized link of `path`, if linked.
    func link(_ id: String, _ path: String) async throws -> [String: Any]? {
        let streams = try await subscription(id)["streams"] as? [[String: Any]] ?? []
        return streams.first { $0["path"] as? String == path }
    }

    func object(_ response: TestResponse) throws -> [String: Any] {
        guard let object = try response.json() as? [String: Any] else { throw TestFailure("not a JSON object: \(response.text)") }
        return object
    }

    /// The `error.code` of a JSON error body.
    func errorCode(_ response: TestResponse) -> String? {
        ((try? object(response))?["error"] as? [String: Any])?["code"] as? String
    }

    /// The stream's tail (`Stream-Next-Offset` of a HEAD).
    func tail(_ path: String) async throws -> String {
        let response = try await server.request(.HEAD, path)
        guard let offset = response.nextOffset else { throw TestFailure("HEAD \(path) has no offset: \(response.status)") }
        return offset
    }

    /// Reads JSON messages from `path` after `offset`, waiting with long-polls until at least one arrives.
    func waitForMessages(_ path: String, after offset: String, timeout: Duration = .seconds(20)) async throws -> (messages: [[String: Any]], next: String) {
        let deadline = ContinuousClock.now + timeout
        var offset = offset
        while ContinuousClock.now < deadline {
            let response = try await server.request(.GET, "\(path)?offset=\(offset)&live=long-poll")
            if let next = response.nextOffset { offset = next }
            if response.status == .ok, let messages = try response.json() as? [[String: Any]], !messages.isEmpty {
                return (messages, offset)
            }
        }
        throw TestFailure("no messages in \(path) after \(offset) within \(timeout)")
    }

    /// Fetches the JWKS and verifies a webhook's `Webhook-Signature` against it; returns the kid.
    func verifySignature(_ received: WebhookReceiver.Received) async throws -> String {
        guard let header = received.headers.first(name: "Webhook-Signature") else { throw TestFailure("no Webhook-Signature") }
        var fields: [String: String] = [:]
        for part in header.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1)
            if pair.count == 2 { fields[String(pair[0])] = String(pair[1]) }
        }
        guard let t = fields["t"], let kid = fields["kid"], let signature = fields["ed25519"].flatMap(base64URLDecode) else {
            throw TestFailure("malformed Webhook-Signature \(header)")
        }
        let jwks = try object(try await call(.GET, "jwks.json"))
        let keys = jwks["keys"] as? [[String: Any]] ?? []
        guard let jwk = keys.first(where: { $0["kid"] as? String == kid }), let x = (jwk["x"] as? String).flatMap(base64URLDecode) else {
            throw TestFailure("kid \(kid) is not in the JWKS")
        }
        let key = try Curve25519.Signing.PublicKey(rawRepresentation: x)
        guard key.isValidSignature(signature, for: Array("\(t).".utf8) + received.body) else { throw TestFailure("bad signature") }
        guard let seconds = Int64(t), abs(seconds - Int64(Date().timeIntervalSince1970)) < 300 else { throw TestFailure("timestamp outside the window") }
        return kid
    }
}

func base64URLDecode(_ text: String) -> [UInt8]? {
    var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
    while base64.count % 4 != 0 { base64 += "=" }
    return Data(base64Encoded: base64).map(Array.init)
}
