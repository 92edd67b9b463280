/// Stop conditions for ``ConformanceContext/sse(_:offset:cursor:within:until:afterOpen:)``.
enum SSEStop {
    /// The control events parsed as JSON (unparseable ones skipped).
    static func controls(_ events: [SSEEvent]) -> [JSONValue] {
        events.controlEvents.compactMap { JSONValue.parse($0.data) }
    }

    /// The last event is a control event saying the reader is caught up (or the stream is closed).
    static func upToDate(_ events: [SSEEvent]) -> Bool {
        guard let last = events.last, last.type == "control", let control = JSONValue.parse(last.data) else { return false }
        return control["upToDate"] == .bool(true) || control["streamClosed"] == .bool(true)
    }

    /// Some control event says the stream is closed.
    static func closed(_ events: [SSEEvent]) -> Bool {
        controls(events).contains { $0["streamClosed"] == .bool(true) }
    }

    /// A control event has arrived.
    static func anyControl(_ events: [SSEEvent]) -> Bool { !events.controlEvents.isEmpty }

    /// The concatenated text of the data events contains `needle`, and a control event follows the last data event.
    static func text(_ needle: String) -> @Sendable ([SSEEvent]) -> Bool {
        { events in
            events.last?.type == "control" && events.dataEvents.map(\.data).joined().contains(needle)
        }
    }

    /// At least `count` data events arrived, and a control event follows the last one.
    static func dataEvents(_ count: Int) -> @Sendable ([SSEEvent]) -> Bool {
        { events in events.dataEvents.count >= count && events.last?.type == "control" }
    }
}

extension SSEOutcome {
    /// Fails unless every `data` event is immediately followed by a `control` event.
    func expectControlAfterEveryData() throws {
        for (index, event) in events.enumerated() where event.type == "data" {
            let next = index + 1 < events.count ? events[index + 1] : nil
            try expect(next?.type == "control", "\(request): data event #\(index) is followed by \(next.map(\.description) ?? "nothing"), not a control event")
        }
    }

    /// The `streamNextOffset` of a control event; fails when it is missing or not a string.
    static func nextOffset(_ control: JSONValue, request: String) throws -> String {
        guard case .string(let offset)? = control["streamNextOffset"] else {
            throw ConformanceFailure("\(request): control event without a string streamNextOffset: \(control)")
        }
        return offset
    }
}
