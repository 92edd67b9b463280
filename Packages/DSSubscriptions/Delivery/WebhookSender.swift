import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Sends signed webhook requests (PROTOCOL.md §7.1) and reports how each attempt ended.
struct WebhookSender: Sendable {
    let client: HTTPClient
    let policy: WebhookURLPolicy
    let resolver: any HostResolver
    let timeout: TimeAmount

    /// One attempt: URL rules again, name resolution checked against private ranges, then the signed `POST`.
    func send(_ delivery: WebhookDelivery, key: SigningKey) async -> SubscriptionCore.DeliveryResult {
        do {
            let target = try policy.check(delivery.url)
            if !target.isDevelopmentLoopback && !target.isLiteral {
                let addresses = try await resolver.addresses(of: target.host)
                guard !addresses.isEmpty else { return .failed("\(target.host) resolved to no address") }
                for address in addresses {
                    if let reason = IPAddress(address)?.nonPublicReason ?? (IPAddress(address) == nil ? "not an address" : nil) {
                        return .failed("\(target.host) resolves to \(address), \(reason)")
                    }
                }
            }
            var request = HTTPClientRequest(url: delivery.url)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "User-Agent", value: "durable-streams-swift")
            request.headers.add(name: "Webhook-Signature", value: try key.signatureHeader(body: delivery.body, timestamp: Int64(Date().timeIntervalSince1970)))
            request.body = .bytes(ByteBuffer(bytes: delivery.body))
            let response = try await client.execute(request, timeout: timeout)
            let body = try await response.body.collect(upTo: 64 * 1024)
            guard (200..<300).contains(response.status.code) else { return .failed("HTTP \(response.status.code)") }
            if let members = try? JSONInput.object(Array(body.readableBytesView)), members["done"]?.bool == true { return .done }
            return .accepted
        } catch let error as ControlError {
            return .failed(error.message)
        } catch {
            return .failed("\(error)")
        }
    }
}
