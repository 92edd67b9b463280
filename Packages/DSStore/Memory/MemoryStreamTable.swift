import Synchronization

/// The in-memory store's path → stream map, split into independently locked shards so that lookups on
/// different streams rarely contend. Lock order: a shard lock may be held while taking a stream lock,
/// never the reverse.
final class MemoryStreamTable: Sendable {
    private static let shardCount = 64
    private let shards: [Shard]

    private final class Shard: Sendable {
        let streams = Mutex<[String: MemoryStream]>([:])
    }

    init() {
        shards = (0..<Self.shardCount).map { _ in Shard() }
    }

    private func shard(for path: String) -> Shard {
        var hasher = Hasher()
        hasher.combine(path)
        return shards[Int(UInt(bitPattern: hasher.finalize()) % UInt(Self.shardCount))]
    }

    func lookup(_ path: String) -> MemoryStream? {
        shard(for: path).streams.withLock { $0[path] }
    }

    /// Runs `body` with exclusive access to the shard holding `path`.
    func withShard<R: Sendable, E: Error>(
        of path: String,
        _ body: (inout [String: MemoryStream]) throws(E) -> R
    ) throws(E) -> R {
        try shard(for: path).streams.withLock { (streams: inout [String: MemoryStream]) throws(E) -> R in
            try body(&streams)
        }
    }

    /// Removes `stream` if it is still the entry for its path.
    func remove(_ stream: MemoryStream) {
        shard(for: stream.path).streams.withLock { streams in
            if streams[stream.path] === stream { streams[stream.path] = nil }
        }
    }

    /// A snapshot of every stream object.
    func all() -> [MemoryStream] {
        shards.flatMap { $0.streams.withLock { Array($0.values) } }
    }

    /// Number of streams.
    var count: Int { shards.reduce(0) { $0 + $1.streams.withLock { $0.count } } }
}
