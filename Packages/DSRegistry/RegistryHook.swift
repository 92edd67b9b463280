import DSProtocol
import DSServer
import DSStore
import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// A lifecycle hook that keeps a registry stream: one State Protocol change message per stream created,
/// deleted or expired, so an admin UI can list live streams by replaying (and tailing) one JSON stream.
///
/// On server start it creates the registry stream if missing and repairs it against the streams that
/// really exist, so a crash between an operation and its message never leaves the registry wrong.
/// The registry stream never registers itself.
public final class RegistryHook: StreamLifecycleHook {
    /// The registry stream's path below the stream root.
    public let registryPath: String
    private let store = Mutex<(any StreamStore)?>(nil)
    private let encoder: JSONEncoder

    /// The registry's content type.
    static let contentType = StreamContentType("application/json")

    /// Creates the hook; the registry lives at `registryPath` below the stream root.
    public init(registryPath: String = "__registry__") {
        self.registryPath = registryPath
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        self.encoder = encoder
    }

    public func prepare(store: any StreamStore) async throws {
        self.store.withLock { $0 = store }
        try await ensureRegistryStream(store)
        try await reconcile(store)
    }

    public func handle(_ event: StreamLifecycleEvent) async throws {
        guard event.path != registryPath, let store = store.withLock({ $0 }) else { return }
        let change: RegistryChange
        switch event.kind {
        case .created:
            change = .insert(path: event.path, contentType: event.contentType.value, createdAt: event.timestamp.milliseconds)
        case .deleted, .expired:
            change = .delete(path: event.path, at: event.timestamp.milliseconds)
        }
        try await append([change], to: store)
    }

    // MARK: - Registry stream

    private func ensureRegistryStream(_ store: any StreamStore) async throws {
        let request = CreateStreamRequest(path: registryPath, contentType: Self.contentType)
        do {
            _ = try await store.create(request, on: Self.eventLoop).get()
        } catch let error as StoreError {
            throw RegistryError.cannotCreate(path: registryPath, reason: error.description)
        }
    }

    private func append(_ changes: [RegistryChange], to store: any StreamStore) async throws {
        guard !changes.isEmpty else { return }
        let body = ByteBuffer(bytes: try encoder.encode(changes))
        let request = AppendRequest(path: registryPath, contentType: Self.contentType, body: body)
        do {
            _ = try await store.append(request, on: Self.eventLoop).get()
        } catch StoreError.notFound {
            // Someone deleted the registry stream: bring it back and keep recording.
            try await ensureRegistryStream(store)
            _ = try await store.append(request, on: Self.eventLoop).get()
        }
    }

    // MARK: - Repair

    /// Appends the inserts and deletes that make the registry agree with the store's live streams.
    private func reconcile(_ store: any StreamStore) async throws {
        let recorded = try await recordedStreams(store)
        let now = StoreTimestamp.now()
        let live = try await store.list(now: now, on: Self.eventLoop).get().filter { $0.path != registryPath }
        var changes: [RegistryChange] = []
        var livePaths = Set<String>()
        for info in live.sorted(by: { $0.createdAt < $1.createdAt }) {
            livePaths.insert(info.path)
            if recorded[info.path] != info.createdAt.milliseconds {
                if recorded[info.path] != nil { changes.append(.delete(path: info.path, at: now.milliseconds)) }
                changes.append(.insert(path: info.path, contentType: info.contentType.value, createdAt: info.createdAt.milliseconds))
            }
        }
        for path in recorded.keys.sorted() where !livePaths.contains(path) {
            changes.append(.delete(path: path, at: now.milliseconds))
        }
        try await append(changes, to: store)
    }

    /// Replays the registry: path → creation time of every stream it lists as live.
    private func recordedStreams(_ store: any StreamStore) async throws -> [String: Int64] {
        var live: [String: Int64] = [:]
        var start = ReadStart.beginning
        while true {
            let outcome = try await store.read(ReadRequest(path: registryPath, start: start, maxBytes: 4 << 20), on: Self.eventLoop).get()
            for change in Self.decode(outcome.chunks) where change.type == RegistryChange.entityType {
                switch change.headers.operation {
                case .insert: live[change.key] = change.value?.createdAt ?? 0
                case .delete: live[change.key] = nil
                }
            }
            if outcome.isUpToDate || outcome.next == outcome.start { return live }
            start = .offset(outcome.next)
        }
    }

    /// Decodes stored JSON messages (each followed by `,`), skipping any that are not registry changes.
    private static func decode(_ chunks: [ByteBuffer]) -> [RegistryChange] {
        var joined = ByteBuffer()
        for chunk in chunks { joined.writeImmutableBuffer(chunk) }
        guard joined.readableBytes > 0 else { return [] }
        var array = ByteBuffer(string: "[")
        array.writeBytes(joined.readableBytesView.dropLast())
        array.writeString("]")
        let decoder = JSONDecoder()
        guard let messages = try? decoder.decode([LenientChange].self, from: Data(array.readableBytesView)) else { return [] }
        return messages.compactMap(\.change)
    }

    private static var eventLoop: any EventLoop { MultiThreadedEventLoopGroup.singleton.any() }
}

/// Decodes one message, keeping `nil` when it is not a registry change (someone else wrote to the stream).
private struct LenientChange: Decodable {
    var change: RegistryChange?
    init(from decoder: any Decoder) throws {
        change = try? RegistryChange(from: decoder)
    }
}

/// Why the registry could not be set up.
public enum RegistryError: Error, Sendable, CustomStringConvertible {
    /// The registry stream could not be created (for example, a non-JSON stream already uses its path).
    case cannotCreate(path: String, reason: String)

    public var description: String {
        switch self {
        case .cannotCreate(let path, let reason): return "cannot create the registry stream \(path): \(reason)"
        }
    }
}

/// The lifecycle hooks that keep a registry stream at `registryPath` (default `__registry__`), mirroring the
/// upstream `createRegistryHooks`. Pass them as `ServerOptions.hooks`.
public func createRegistryHooks(registryPath: String = "__registry__") -> [any StreamLifecycleHook] {
    [RegistryHook(registryPath: registryPath)]
}
