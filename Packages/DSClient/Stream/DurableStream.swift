import NIOCore
import Synchronization

/// A handle on one stream, addressed by its URL: create, inspect, append, close, delete and read it.
///
/// Handles are cheap values; copies share what they learned (the stream's content type). Nothing is sent
/// until a method is called.
///
/// ```swift
/// let stream = DurableStream(url: "http://localhost:4437/v1/stream/chat")
/// try await stream.create(contentType: "application/json")
/// try await stream.append(json: ["text": "hello"])
/// for try await message in stream.messages(as: [String: String].self, mode: .catchUp) {
///     print(message.value)
/// }
/// ```
public struct DurableStream: Sendable {
    /// The stream's URL.
    public let url: String
    /// The settings every request of this handle uses.
    public let configuration: ClientConfiguration

    let exchange: HTTPExchange
    private let learned: LearnedState

    /// Creates a handle on the stream at `url` (an `http` or `https` URL; it may carry query parameters,
    /// which are kept on every request).
    public init(url: String, configuration: ClientConfiguration = ClientConfiguration()) {
        self.url = url
        self.configuration = configuration
        self.exchange = HTTPExchange(configuration: configuration)
        self.learned = LearnedState()
    }

    /// Creates a handle on a stream whose content type is already known, so appends need no `HEAD` first.
    public init(url: String, contentType: String, configuration: ClientConfiguration = ClientConfiguration()) {
        self.init(url: url, configuration: configuration)
        learned.contentType.withLock { $0 = contentType }
    }

    /// The stream's content type, once known from a create, `HEAD`, read or the initializer.
    public var contentType: String? { learned.contentType.withLock { $0 } }

    func remember(contentType: String?) {
        guard let contentType else { return }
        learned.contentType.withLock { $0 = contentType }
    }

    /// The content type for an append: the known one, or the stream's own as `HEAD` reports it.
    func resolvedContentType() async throws(DurableStreamError) -> String {
        if let contentType { return contentType }
        return try await head().contentType
    }

    /// The stream URL with `query` appended (`?` or `&` as the URL requires).
    func url(query: String) -> String {
        guard !query.isEmpty else { return url }
        return url + (url.contains("?") ? "&" : "?") + query
    }
}

/// What handles copied from one another learn about their stream.
private final class LearnedState: Sendable {
    let contentType = Mutex<String?>(nil)
}
