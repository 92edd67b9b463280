import DSSubscriptions
import DSTestSupport
import Foundation
import Testing

/// A resolver with a fixed table: no DNS traffic leaves the test.
struct FixedResolver: HostResolver {
    var table: [String: [String]]
    func addresses(of host: String) async throws -> [String] {
        guard let addresses = table[host] else { throw TestFailure("unknown host \(host)") }
        return addresses
    }
}

@Suite struct WebhookURLTests {
    private func put(_ h: SubscriptionHarness, _ url: String) async throws -> TestResponse {
        try await h.putSubscription("u-\(UUID().uuidString.prefix(8))", ["type": "webhook", "streams": ["s"], "webhook": ["url": url]])
    }

    @Test(arguments: StoreKind.allCases)
    func productionRejectsUnsafeURLs(kind: StoreKind) async throws {
        try await SubscriptionHarness.with(kind, options: SubscriptionOptions(developmentMode: false)) { h in
            let unsafe = [
                "http://worker.example/hook",
                "ftp://worker.example/hook",
                "https://localhost/hook",
                "http://localhost:8080/hook",
                "https://127.0.0.1/hook",
                "https://10.1.2.3/hook",
                "https://172.16.0.1/hook",
                "https://192.168.1.1/hook",
                "https://169.254.169.254/latest/meta-data",
                "https://[::1]/hook",
                "https://[fe80::1]/hook",
                "https://[fd00::1]/hook",
                "https://[::ffff:10.0.0.1]/hook",
                "https://0.0.0.0/hook",
                "https://user:pass@worker.example/hook",
                "not a url",
            ]
            for url in unsafe {
                let response = try await put(h, url)
                #expect(response.status == .badRequest, "\(url)")
                #expect(h.errorCode(response) == "WEBHOOK_URL_REJECTED" || h.errorCode(response) == "INVALID_REQUEST", "\(url)")
                #expect(h.errorCode(response) == "WEBHOOK_URL_REJECTED", "\(url)")
            }
            #expect(try await put(h, "https://worker.example/hook").status == .created)
            #expect(try await put(h, "https://93.184.216.34/hook").status == .created)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func developmentAllowsOnlyLocalhostOverHTTP(kind: StoreKind) async throws {
        try await SubscriptionHarness.with(kind, options: SubscriptionOptions(developmentMode: true)) { h in
            #expect(try await put(h, "http://localhost:9/hook").status == .created)
            #expect(try await put(h, "http://127.0.0.7:9/hook").status == .created)
            for url in ["http://127.1.0.1/hook", "http://10.0.0.1/hook", "http://worker.example/hook", "https://192.168.0.1/hook"] {
                let response = try await put(h, url)
                #expect(h.errorCode(response) == "WEBHOOK_URL_REJECTED", "\(url)")
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func namesResolvingToPrivateAddressesAreRefusedAtDelivery(kind: StoreKind) async throws {
        var options = SubscriptionOptions(developmentMode: false)
        options.resolver = FixedResolver(table: ["hooks.example": ["93.184.216.34", "10.9.8.7"]])
        try await SubscriptionHarness.with(kind, options: options) { h in
            let events = uniquePath("events")
            try await h.server.createStream(events)
            #expect(try await h.putSubscription("dns", ["type": "webhook", "streams": [events], "webhook": ["url": "https://hooks.example/x"]]).status == .created)
            try await h.server.appendText(events, "data")
            try await waitUntil { try await h.subscription("dns")["status"] as? String == "failed" }
            let retry = try await h.subscription("dns")["retry"] as? [String: Any] ?? [:]
            #expect((retry["last_error"] as? String)?.contains("10.9.8.7") == true)
        }
    }
}
