import Logging
import NIOCore
import NIOHTTP1

/// What the transport notes about one request from its head to its last byte, for the request log,
/// the request metrics and the drain count. A value owned by the connection's channel handler.
struct RequestObservation: Sendable {
    /// Header used to correlate a request across proxies, logs and clients.
    static let requestIDHeader = "X-Request-Id"

    let method: HTTPMethod
    let target: String
    let requestID: RequestID?
    let startNanoseconds: UInt64
    var clientAddress: SocketAddress?
    var live: ServerMetrics.LiveKind?
    var bytesIn = 0
    var bytesOut = 0
    var status: Int?
    /// Whether the request counts towards the in-flight total a graceful shutdown waits for.
    private var inFlight = false

    /// Starts observing a request whose head just arrived.
    init(method: HTTPMethod, target: String, headers: HTTPHeaders, peer: SocketAddress?, operations: ServerOperations) {
        self.method = method
        self.target = target
        self.clientAddress = peer
        self.startNanoseconds = NIODeadline.now().uptimeNanoseconds
        if let sent = headers.first(name: Self.requestIDHeader), let id = RequestID(client: sent) {
            requestID = id
        } else if operations.options.generateRequestIDs {
            requestID = RequestID.generate()
        } else {
            requestID = nil
        }
    }

    /// The whole request arrived from `clientAddress` with `bodyBytes` of body and is handed on to be answered.
    mutating func dispatched(clientAddress: SocketAddress?, bodyBytes: Int, operations: ServerOperations) {
        self.clientAddress = clientAddress
        bytesIn = bodyBytes
        enterFlight(operations: operations)
    }

    /// The request is complete and being answered: a graceful shutdown now waits for it.
    mutating func enterFlight(operations: ServerOperations) {
        guard !inFlight else { return }
        inFlight = true
        operations.requestStarted()
    }

    /// Notes a live read (`live=long-poll` or `live=sse`) for the live-reader gauge and its own latency histogram.
    mutating func markLive(_ mode: String, operations: ServerOperations) {
        guard let kind = ServerMetrics.LiveKind(rawValue: mode) else { return }
        live = kind
        operations.metrics.liveReaderChanged(kind, by: 1)
    }

    /// Notes the response's status and complete-body size (the transport echoes ``requestID`` in its head).
    mutating func responded(status: HTTPResponseStatus, bytes: Int) {
        self.status = Int(status.code)
        bytesOut += bytes
    }

    /// Records and logs the finished request. Call exactly once.
    func finish(clientGone: Bool, operations: ServerOperations) {
        if inFlight { operations.requestFinished() }
        let duration = Int64(NIODeadline.now().uptimeNanoseconds &- startNanoseconds)
        // A request the client abandoned before any answer is counted as nginx does, with 499.
        let status = self.status ?? 499
        let metrics = operations.metrics
        if let live { metrics.liveReaderChanged(live, by: -1) }
        metrics.recordRequest(method: method, status: status, durationNanoseconds: duration, live: live)
        if bytesIn > 0 { metrics.requestBytes.increment(by: Int64(bytesIn)) }
        if bytesOut > 0 { metrics.responseBytes.increment(by: Int64(bytesOut)) }
        let accessLog = operations.options.accessLog.flatMap { $0.logLevel <= .info ? $0 : nil }
        guard accessLog != nil || status >= 500 else { return }
        let metadata = logMetadata(status: status, durationNanoseconds: duration, clientGone: clientGone)
        accessLog?.info("request", metadata: metadata)
        if status >= 500 { operations.logger.error("request failed", metadata: metadata) }
    }

    /// The fields of a request-log line.
    private func logMetadata(status: Int, durationNanoseconds: Int64, clientGone: Bool) -> Logger.Metadata {
        let mark = target.utf8.firstIndex(of: UInt8(ascii: "?"))
        let path = mark.map { String(target[..<$0]) } ?? target
        var metadata: Logger.Metadata = [
            "method": .string(method.rawValue),
            "path": .string(path),
            "status": .stringConvertible(status),
            "bytes_in": .stringConvertible(bytesIn),
            "bytes_out": .stringConvertible(bytesOut),
            "duration_ms": .string(Self.milliseconds(durationNanoseconds)),
        ]
        if let mark { metadata["query"] = .string(String(target[target.utf8.index(after: mark)...])) }
        if let requestID { metadata["request_id"] = .string(requestID.description) }
        if let address = clientAddress?.ipAddress { metadata["client"] = .string(address) }
        if let live { metadata["live"] = .string(live.rawValue) }
        if clientGone { metadata["client_gone"] = "true" }
        return metadata
    }

    /// `12.345` from nanoseconds, without Foundation formatting.
    static func milliseconds(_ nanoseconds: Int64) -> String {
        let micros = max(0, nanoseconds) / 1000
        let fraction = String(micros % 1000)
        return "\(micros / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)"
    }
}
