import DSClient
import DSTestSupport
import NIOCore
import Synchronization

extension TestServer {
    /// A handle on a fresh stream path of this server (nothing is created).
    func stream(_ prefix: String = "client", configuration: ClientConfiguration = ClientConfiguration()) -> DurableStream {
        DurableStream(url: url(uniquePath(prefix)), configuration: configuration)
    }
}

/// Collects every chunk of `sequence` until it ends.
func collect(_ sequence: ChunkSequence) async throws -> [StreamChunk] {
    var chunks: [StreamChunk] = []
    for try await chunk in sequence { chunks.append(chunk) }
    return chunks
}

/// The bytes of `chunks` concatenated.
func joinedBytes(_ chunks: [StreamChunk]) -> [UInt8] {
    chunks.flatMap(\.bytes)
}

/// Deterministic pseudo-random bytes (xorshift), so failures reproduce.
func patternBytes(count: Int, seed: UInt64) -> [UInt8] {
    var state = seed | 1
    var bytes: [UInt8] = []
    bytes.reserveCapacity(count)
    for _ in 0..<count {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        bytes.append(UInt8(truncatingIfNeeded: state))
    }
    return bytes
}

/// Bytes a test expects, appended from concurrent code.
final class ExpectedBytes: Sendable {
    private let storage = Mutex<[UInt8]>([])

    func append(_ bytes: [UInt8]) { storage.withLock { $0 += bytes } }
    var bytes: [UInt8] { storage.withLock { $0 } }
}
