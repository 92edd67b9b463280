import DSProtocol

/// Work decided under the service's lock and carried out after it is released.
enum Effect: Sendable {
    /// Send a webhook wake.
    case deliver(WebhookDelivery)
    /// Append wake events to a pull-wake subscription's wake stream.
    case appendWakeEvents(wakeStream: String, events: [JSONValue])
    /// Re-examine a subscription at a Unix-millisecond deadline (lease expiry, retry).
    case timer(subscriptionID: String, at: Int64)
}

/// One webhook request: where to send it, the exact body, and the wake it belongs to.
struct WebhookDelivery: Sendable {
    var subscriptionID: String
    var incarnation: String
    var wakeID: String
    var generation: UInt64
    var url: String
    var body: [UInt8]
}
