import Crypto
import Foundation

/// The server's Ed25519 webhook signing key (PROTOCOL.md §6.5, §7.1).
///
/// `kid` is `ds_` followed by the RFC 7638 JWK thumbprint of the public key, so it is derived from the
/// key material and stable for the key's lifetime. With a directory the private key is kept there
/// (mode 0600) and reused after a restart.
struct SigningKey: Sendable {
    let privateKey: Curve25519.Signing.PrivateKey
    let kid: String
    /// The public key, unpadded base64url.
    let x: String

    static let fileName = "signing-key.json"

    init(privateKey: Curve25519.Signing.PrivateKey) {
        self.privateKey = privateKey
        let x = Base64URL.encode(privateKey.publicKey.rawRepresentation)
        self.x = x
        let thumbprintInput = #"{"crv":"Ed25519","kty":"OKP","x":"\#(x)"}"#
        self.kid = "ds_" + Base64URL.encode(SHA256.hash(data: Data(thumbprintInput.utf8)))
    }

    /// Loads the key from `file`, or creates one and saves it there; without a file, a fresh in-memory key.
    static func loadOrCreate(in file: SnapshotFile?) throws -> SigningKey {
        guard let file else { return SigningKey(privateKey: Curve25519.Signing.PrivateKey()) }
        if let data = try file.read(fileName) {
            guard let stored = try? JSONDecoder().decode(StoredKey.self, from: data),
                  let raw = Base64URL.decode(stored.d),
                  let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw)
            else { throw PersistenceError.corrupt(fileName) }
            return SigningKey(privateKey: key)
        }
        let key = Curve25519.Signing.PrivateKey()
        let stored = StoredKey(alg: "EdDSA", d: Base64URL.encode(key.rawRepresentation))
        try file.write(fileName, try JSONEncoder().encode(stored), mode: 0o600)
        return SigningKey(privateKey: key)
    }

    private struct StoredKey: Codable {
        var alg: String
        var d: String
    }

    /// The JWK Set body served at `__ds/jwks.json`.
    var jwks: JSONValue {
        .object([
            ("keys", .array([
                .object([
                    ("kty", .string("OKP")),
                    ("crv", .string("Ed25519")),
                    ("kid", .string(kid)),
                    ("use", .string("sig")),
                    ("alg", .string("EdDSA")),
                    ("x", .string(x)),
                ]),
            ])),
        ])
    }

    /// The `Webhook-Signature` value for `body` sent at Unix second `timestamp`:
    /// `t=<timestamp>,kid=<kid>,ed25519=<base64url signature over "<timestamp>.<body>">`.
    func signatureHeader(body: [UInt8], timestamp: Int64) throws -> String {
        var message = Array("\(timestamp).".utf8)
        message.append(contentsOf: body)
        let signature = try privateKey.signature(for: message)
        return "t=\(timestamp),kid=\(kid),ed25519=\(Base64URL.encode(signature))"
    }
}

/// Unpadded base64url (RFC 4648 §5).
enum Base64URL {
    static func encode(_ bytes: some Sequence<UInt8>) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ text: some StringProtocol) -> [UInt8]? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        guard !base64.contains("=") else { return nil }
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64).map(Array.init)
    }
}
