import CoreMetrics
import NIOHTTP1

/// The server's metrics, recorded through swift-metrics only (the embedding process chooses the backend).
///
/// The metric objects for common method and status pairs are made once, up front, so recording a request
/// is a dictionary read of an immutable table and an atomic add in the backend: no lock of ours on the hot
/// path. Rare pairs are made on demand through the factory, which caches them.
final class ServerMetrics: Sendable {
    /// Metric labels, the single source for code and the operator reference.
    enum Name {
        static let requests = "ds_http_requests_total"
        static let requestDuration = "ds_http_request_duration_seconds"
        static let liveDuration = "ds_live_session_duration_seconds"
        static let requestBytes = "ds_http_request_body_bytes_total"
        static let responseBytes = "ds_http_response_body_bytes_total"
        static let liveReaders = "ds_live_readers"
        static let streams = "ds_streams"
        static let streamEvents = "ds_stream_events_total"
        static let rateLimited = "ds_rate_limited_total"
        static let authDenied = "ds_auth_denied_total"
    }

    private let factory: any MetricsFactory
    private let requestCounters: [Int: Counter]
    /// By ``methodIndex(_:)``; the last one is for every other method.
    private let durations: [Timer]
    private let liveDurations: [LiveKind: Timer]
    private let liveGauges: [LiveKind: Meter]
    private let streamEvents: [String: Counter]
    let requestBytes: Counter
    let responseBytes: Counter
    let streams: Meter

    /// The kind of a live read, as a metric dimension.
    enum LiveKind: String, Sendable, CaseIterable {
        case longPoll = "long-poll"
        case sse
    }

    static let methods = ["GET", "HEAD", "PUT", "POST", "DELETE", "OPTIONS"]
    static let commonStatuses = [200, 201, 204, 304, 400, 401, 403, 404, 405, 409, 410, 413, 429, 500, 503]

    init(factory: any MetricsFactory) {
        self.factory = factory
        var counters: [Int: Counter] = [:]
        for (index, method) in Self.methods.enumerated() {
            for status in Self.commonStatuses {
                counters[Self.key(methodIndex: index, status: status)] = Counter(
                    label: Name.requests, dimensions: [("method", method), ("status", String(status))], factory: factory
                )
            }
        }
        requestCounters = counters
        durations = (Self.methods + ["other"]).map { method in
            Timer(label: Name.requestDuration, dimensions: [("method", method)], factory: factory)
        }
        var liveDurations: [LiveKind: Timer] = [:]
        var liveGauges: [LiveKind: Meter] = [:]
        for kind in LiveKind.allCases {
            liveDurations[kind] = Timer(label: Name.liveDuration, dimensions: [("mode", kind.rawValue)], factory: factory)
            liveGauges[kind] = Meter(label: Name.liveReaders, dimensions: [("mode", kind.rawValue)], factory: factory)
        }
        self.liveDurations = liveDurations
        self.liveGauges = liveGauges
        var streamEvents: [String: Counter] = [:]
        for kind in StreamLifecycleEvent.Kind.allKinds {
            streamEvents[kind.rawValue] = Counter(label: Name.streamEvents, dimensions: [("event", kind.rawValue)], factory: factory)
        }
        self.streamEvents = streamEvents
        requestBytes = Counter(label: Name.requestBytes, dimensions: [], factory: factory)
        responseBytes = Counter(label: Name.responseBytes, dimensions: [], factory: factory)
        streams = Meter(label: Name.streams, dimensions: [], factory: factory)
    }

    private static func key(methodIndex: Int, status: Int) -> Int { methodIndex &* 1000 &+ status }

    /// The position of `method` in ``methods`` without making its name: a switch, not a string search.
    private static func methodIndex(_ method: HTTPMethod) -> Int? {
        switch method {
        case .GET: 0
        case .HEAD: 1
        case .PUT: 2
        case .POST: 3
        case .DELETE: 4
        case .OPTIONS: 5
        default: nil
        }
    }

    /// Counts one answered request and records its latency (live reads go to their own histogram).
    func recordRequest(method: HTTPMethod, status: Int, durationNanoseconds: Int64, live: LiveKind?) {
        let index = Self.methodIndex(method)
        if let index, let counter = requestCounters[Self.key(methodIndex: index, status: status)] {
            counter.increment()
        } else {
            let known = index.map { Self.methods[$0] } ?? "other"
            Counter(label: Name.requests, dimensions: [("method", known), ("status", String(status))], factory: factory).increment()
        }
        if let live {
            liveDurations[live]?.recordNanoseconds(durationNanoseconds)
        } else {
            durations[index ?? Self.methods.count].recordNanoseconds(durationNanoseconds)
        }
    }

    /// A live read started (`+1`) or ended (`-1`).
    func liveReaderChanged(_ kind: LiveKind, by delta: Int) {
        guard let gauge = liveGauges[kind] else { return }
        if delta > 0 { gauge.increment(by: Double(delta)) } else { gauge.decrement(by: Double(-delta)) }
    }

    /// Counts a stream lifecycle event and keeps the stream gauge in step.
    func streamEvent(_ kind: StreamLifecycleEvent.Kind) {
        streamEvents[kind.rawValue]?.increment()
        switch kind {
        case .created: streams.increment()
        case .deleted, .expired: streams.decrement()
        }
    }

    /// Counts a request refused by a rate or live-connection limit.
    func rateLimited(_ reason: String) {
        Counter(label: Name.rateLimited, dimensions: [("reason", reason)], factory: factory).increment()
    }

    /// Counts a request refused by the authoriser.
    func authDenied(status: Int) {
        Counter(label: Name.authDenied, dimensions: [("status", String(status))], factory: factory).increment()
    }
}

extension StreamLifecycleEvent.Kind {
    static let allKinds: [Self] = [.created, .deleted, .expired]
}
