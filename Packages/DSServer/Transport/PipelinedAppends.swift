import NIOCore
import NIOHTTP1

/// The appends a connection handed to the store while an earlier append was still being answered
/// (``HTTPChannelHandler``), oldest first, each with its answer once the store gave it.
///
/// A client that pipelines appends does not wait for one answer before sending the next, so none of them can
/// depend on an earlier answer; and every store applies operations in the order they are called (see
/// ``StreamStore``). Handing them over together therefore changes nothing but timing: a durable store puts
/// them into one group commit instead of one commit each. Answers still leave in request order: an answer
/// that is ready early waits here until every answer before it was written.
struct PipelinedAppends {
    /// One append handed to the store ahead of its turn.
    struct Entry {
        /// Its place among the connection's requests (see ``HTTPChannelHandler``).
        let sequence: UInt64
        let head: HTTPRequestHead
        let keepAlive: Bool
        let lifetime: RequestLifetime
        var observation: RequestObservation?
        let bodyBytes: Int
        /// The answer, once the store gave it.
        var response: StreamResponse?
    }

    /// Oldest first. Short (at most ``ServerLimits/maxPipelinedAppends``); an empty array allocates nothing.
    private(set) var entries: [Entry] = []
    /// The body bytes the entries hold.
    private(set) var bodyBytes = 0

    var isEmpty: Bool { entries.isEmpty }
    var count: Int { entries.count }

    /// Whether a request may still follow the last entry (it did not ask to close the connection).
    var isOpen: Bool { entries.last?.keepAlive ?? true }

    mutating func append(_ entry: Entry) {
        bodyBytes += entry.bodyBytes
        entries.append(entry)
    }

    /// Takes the oldest entry, whose turn it is.
    mutating func removeFirst() -> Entry {
        let entry = entries.removeFirst()
        bodyBytes -= entry.bodyBytes
        return entry
    }

    /// Takes every entry (the connection closed).
    mutating func removeAll() -> [Entry] {
        defer {
            entries = []
            bodyBytes = 0
        }
        return entries
    }

    /// Keeps `response` as the answer of the entry numbered `sequence`; `false` when there is no such entry.
    mutating func complete(_ sequence: UInt64, with response: StreamResponse) -> Bool {
        guard let first = entries.first?.sequence, sequence >= first, sequence - first < UInt64(entries.count) else { return false }
        entries[Int(sequence - first)].response = response
        return true
    }

    /// What the front of a connection's waiting request parts holds.
    enum Scan {
        /// Nothing that may go ahead: no request, or one that must wait for every answer before it.
        case wait
        /// The start of an append that may go ahead once the rest of its body arrived, with its body bytes so far.
        case incomplete(bodyBytes: Int)
        /// A whole append that may go ahead: its head, path and the number of parts it spans (head to end).
        case complete(HTTPRequestHead, path: String, urlPath: Substring, query: QueryParameters, parts: Int)
    }

    /// Looks at the request at the front of `parts`: an append (a `POST` to a stream) whose head needs no
    /// interim answer (`Expect: 100-continue`), within the request limits, and whose body fits `byteBudget`,
    /// may go ahead; anything else waits its turn (and is refused then, if it must be).
    static func scan(
        _ parts: CircularBuffer<HTTPServerRequestPart>,
        router: StreamPathRouter,
        limits: ServerLimits,
        byteBudget: Int
    ) -> Scan {
        guard let first = parts.first, case .head(let head) = first, head.method == .POST else { return .wait }
        guard head.uri.utf8.count <= limits.maxURIBytes else { return .wait }
        if let length = head.headers.first(name: "Content-Length") {
            guard let length = Int(length), length <= byteBudget else { return .wait }
        }
        if head.headers.first(name: "Expect")?.lowercased() == "100-continue" { return .wait }
        guard case .stream(let path, let urlPath, let query) = router.route(head.uri), !path.isEmpty else { return .wait }
        var bytes = 0
        var index = parts.index(after: parts.startIndex)
        while index != parts.endIndex {
            switch parts[index] {
            case .head:
                return .wait  // cannot happen: a head follows its request's end
            case .body(let part):
                bytes += part.readableBytes
                if bytes > byteBudget { return .wait }
            case .end:
                return .complete(head, path: path, urlPath: urlPath, query: query, parts: parts.distance(from: parts.startIndex, to: index) + 1)
            }
            index = parts.index(after: index)
        }
        return .incomplete(bodyBytes: bytes)
    }
}
