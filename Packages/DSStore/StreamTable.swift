import Synchronization

/// A stream object a ``StreamTable`` can hold: a reference with a fixed path.
package protocol StreamTableEntry: AnyObject, Sendable {
    /// The stream's path, the table key.
    var path: String { get }
}

/// A store's path → stream map, split into independently locked shards so that lookups on
/// different streams rarely contend. Shared by every store. Lock order: a shard lock may be held
/// while taking a stream lock, never the reverse.
package final class StreamTable<Stream: StreamTableEntry>: Sendable {
    private static var shardCount: Int { 64 }
    private let shards: [Shard]

    private final class Shard: Sendable {
        let streams = Mutex<[String: Stream]>([:])
    }

    package init() {
        shards = (0..<Self.shardCount).map { _ in Shard() }
    }

    private func shard(for path: String) -> Shard {
        var hasher = Hasher()
        hasher.combine(path)
        return shards[Int(UInt(bitPattern: hasher.finalize()) % UInt(Self.shardCount))]
    }

    package func lookup(_ path: String) -> Stream? {
        shard(for: path).streams.withLock { $0[path] }
    }

    /// Runs `body` with exclusive access to the shard holding `path`.
    package func withShard<R: Sendable, E: Error>(
        of path: String,
        _ body: (inout [String: Stream]) throws(E) -> R
    ) throws(E) -> R {
        try shard(for: path).streams.withLock { (streams: inout [String: Stream]) throws(E) -> R in
            try body(&streams)
        }
    }

    /// Makes `stream` the entry for its path, replacing any other.
    package func insert(_ stream: Stream) {
        shard(for: stream.path).streams.withLock { $0[stream.path] = stream }
    }

    /// Removes `stream` if it is still the entry for its path.
    package func remove(_ stream: Stream) {
        shard(for: stream.path).streams.withLock { streams in
            if streams[stream.path] === stream { streams[stream.path] = nil }
        }
    }

    /// Number of streams.
    /// A snapshot of every stream object.
    package func all() -> [Stream] {
        shards.flatMap { $0.streams.withLock { Array($0.values) } }
    }

    package var count: Int { shards.reduce(0) { $0 + $1.streams.withLock { $0.count } } }
}
