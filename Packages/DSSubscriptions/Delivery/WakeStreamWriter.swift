import DSProtocol
import DSStore
import NIOCore
import NIOPosix

/// Appends pull-wake events to a wake stream through the store, like any server-side writer.
/// JSON wake streams get one message per event; other content types one JSON line per event.
struct WakeStreamWriter: Sendable {
    let store: any StreamStore

    func append(_ events: [JSONValue], to wakeStream: String) async throws {
        guard !events.isEmpty else { return }
        let eventLoop = MultiThreadedEventLoopGroup.singleton.any()
        let info = try await store.metadata(path: wakeStream, now: .now(), on: eventLoop).get()
        let body: String
        if info.contentType.isJSON {
            body = JSONValue.array(events).serialized()
        } else {
            body = events.map { $0.serialized() + "\n" }.joined()
        }
        let request = AppendRequest(path: wakeStream, contentType: info.contentType, body: ByteBuffer(string: body))
        _ = try await store.append(request, on: eventLoop).get()
    }
}
