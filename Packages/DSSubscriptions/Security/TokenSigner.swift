import Crypto
import Foundation

/// What a callback or claim token grants: one wake of one subscription incarnation, until `expiresAt`.
struct WakeToken: Codable, Sendable, Equatable {
    /// Subscription id.
    var sub: String
    /// Subscription incarnation (a deleted and re-created subscription gets a new one).
    var inc: String
    /// Generation.
    var gen: UInt64
    /// Wake id.
    var wake: String
    /// Unix seconds.
    var exp: Int64
}

/// HMAC-SHA256 signed tokens (PROTOCOL.md §12.9): `base64url(payload JSON).base64url(HMAC)`.
/// The secret is random per server, persisted with the subscription state when there is a directory.
struct TokenSigner: Sendable {
    let key: SymmetricKey

    static let fileName = "token-secret.json"
    /// Tokens stay valid this long; fencing by generation and wake id retires them earlier.
    static let lifetimeSeconds: Int64 = 24 * 3600

    static func loadOrCreate(in file: SnapshotFile?) throws -> TokenSigner {
        guard let file else { return TokenSigner(key: SymmetricKey(size: .bits256)) }
        if let data = try file.read(fileName) {
            guard let stored = try? JSONDecoder().decode([String: String].self, from: data),
                  let secret = stored["secret"].flatMap(Base64URL.decode), secret.count == 32
            else { throw PersistenceError.corrupt(fileName) }
            return TokenSigner(key: SymmetricKey(data: secret))
        }
        let key = SymmetricKey(size: .bits256)
        let secret = key.withUnsafeBytes { Base64URL.encode($0) }
        try file.write(fileName, try JSONEncoder().encode(["secret": secret]), mode: 0o600)
        return TokenSigner(key: key)
    }

    func sign(_ token: WakeToken) -> String {
        let payload = Base64URL.encode((try? JSONEncoder().encode(token)) ?? Data())
        let mac = HMAC<SHA256>.authenticationCode(for: Data(payload.utf8), using: key)
        return payload + "." + Base64URL.encode(mac)
    }

    /// Checks the signature and expiry of an `Authorization: Bearer` value.
    func verify(authorization: String?, now: Int64) throws(ControlError) -> WakeToken {
        guard let authorization else { throw .tokenInvalid("Authorization: Bearer <token> is required") }
        let parts = authorization.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { throw .tokenInvalid("Authorization must be a Bearer token") }
        let pieces = parts[1].trimmingCharacters(in: .whitespaces).split(separator: ".", omittingEmptySubsequences: false)
        guard pieces.count == 2, let mac = Base64URL.decode(pieces[1]) else { throw .tokenInvalid("malformed token") }
        guard HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: Data(pieces[0].utf8), using: key) else {
            throw .tokenInvalid("bad signature")
        }
        guard let payload = Base64URL.decode(pieces[0]), let token = try? JSONDecoder().decode(WakeToken.self, from: Data(payload)) else {
            throw .tokenInvalid("malformed token payload")
        }
        guard token.exp > now else { throw .tokenExpired }
        return token
    }
}
