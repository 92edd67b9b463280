@testable import DSSubscriptions
import Testing

@Suite struct SubscriptionUnitTests {
    @Test func globMatching() {
        #expect(GlobPattern.matches("events/*", "events/a"))
        #expect(!GlobPattern.matches("events/*", "events/a/b"))
        #expect(!GlobPattern.matches("events/*", "events"))
        #expect(GlobPattern.matches("events/**", "events"))
        #expect(GlobPattern.matches("events/**", "events/a/b/c"))
        #expect(GlobPattern.matches("**/log", "a/b/log"))
        #expect(GlobPattern.matches("**/log", "log"))
        #expect(GlobPattern.matches("a/*/c", "a/b/c"))
        #expect(!GlobPattern.matches("a/*/c", "a/b/d"))
        #expect(GlobPattern.matches("exact", "exact"))
        #expect(!GlobPattern.matches("exact", "exactly"))
    }

    @Test func addressClassification() {
        for address in ["10.0.0.1", "172.31.255.255", "192.168.0.1", "127.0.0.1", "169.254.169.254", "0.0.0.0", "100.64.0.1", "::1", "fe80::1", "fc00::1", "::ffff:192.168.1.1", "ff02::1"] {
            #expect(IPAddress(address)?.nonPublicReason != nil, "\(address)")
        }
        for address in ["93.184.216.34", "8.8.8.8", "172.32.0.1", "2606:4700::1111"] {
            #expect(IPAddress(address)?.nonPublicReason == nil, "\(address)")
        }
        #expect(IPAddress("worker.example") == nil)
    }

    @Test func systemResolverReadsHostsFile() async throws {
        let addresses = try await SystemHostResolver().addresses(of: "localhost")
        #expect(addresses.contains("127.0.0.1") || addresses.contains("::1"))
        #expect(addresses.allSatisfy { IPAddress($0)?.nonPublicReason != nil })
    }

    @Test func tokensAreSignedAndExpire() throws {
        let signer = try TokenSigner.loadOrCreate(in: nil)
        let token = WakeToken(sub: "s", inc: "i", gen: 3, wake: "w_1", exp: 1_000)
        let signed = signer.sign(token)
        #expect(try signer.verify(authorization: "Bearer \(signed)", now: 999) == token)
        #expect(throws: ControlError.tokenExpired) { try signer.verify(authorization: "Bearer \(signed)", now: 1_000) }
        let other = try TokenSigner.loadOrCreate(in: nil)
        #expect(throws: ControlError.self) { try other.verify(authorization: "Bearer \(signed)", now: 0) }
        var tampered = Array(signed)
        tampered[2] = tampered[2] == "A" ? "B" : "A"
        #expect(throws: ControlError.self) { try signer.verify(authorization: "Bearer \(String(tampered))", now: 0) }
        #expect(throws: ControlError.self) { try signer.verify(authorization: nil, now: 0) }
    }

    @Test func backoffGrowsFromOneSecondToSixty() {
        #expect(RetryBackoff.nominalDelay(afterFailures: 1) == 1_000)
        #expect(RetryBackoff.nominalDelay(afterFailures: 2) == 2_000)
        #expect(RetryBackoff.nominalDelay(afterFailures: 6) == 32_000)
        #expect(RetryBackoff.nominalDelay(afterFailures: 7) == 60_000)
        #expect(RetryBackoff.nominalDelay(afterFailures: 100) == 60_000)
        for attempts in 1...10 {
            let nominal = RetryBackoff.nominalDelay(afterFailures: attempts)
            for _ in 0..<50 {
                let delay = RetryBackoff.delay(afterFailures: attempts)
                #expect(delay >= nominal * 8 / 10 && delay <= nominal * 12 / 10)
            }
        }
    }

    @Test func configHashIgnoresStreamOrderButNotContent() throws {
        let a = try SubscriptionConfig.parse(["type": .string("pull-wake"), "streams": .array([.string("b"), .string("a")]), "wake_stream": .string("w")])
        let b = try SubscriptionConfig.parse(["type": .string("pull-wake"), "streams": .array([.string("a"), .string("b"), .string("a")]), "wake_stream": .string("w")])
        let c = try SubscriptionConfig.parse(["type": .string("pull-wake"), "streams": .array([.string("a")]), "wake_stream": .string("w")])
        #expect(a.hash == b.hash)
        #expect(a.hash != c.hash)
    }
}
