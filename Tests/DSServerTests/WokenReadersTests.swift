@testable import DSServer
import DSProtocol
import DSStore
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing

/// The read a batch of woken readers shares: readers at the same stream and offset get one store read between
/// them; any other stream or offset reads on its own; nothing is shared outside a batch.
struct WokenReadersTests {
    /// A memory store that counts the reads it answers at once.
    private final class CountingStore: ForwardingStore, @unchecked Sendable {
        let inner = MemoryStreamStore()
        let immediateReads = NIOLockedValueBox(0)

        func append(_ request: AppendRequest, on eventLoop: any EventLoop) -> EventLoopFuture<AppendOutcome> {
            inner.append(request, on: eventLoop)
        }

        func read(_ request: ReadRequest, on eventLoop: any EventLoop) -> EventLoopFuture<ReadOutcome> {
            inner.read(request, on: eventLoop)
        }

        func readImmediately(_ request: ReadRequest) -> Result<ReadOutcome, StoreError>? {
            immediateReads.withLockedValue { $0 += 1 }
            return inner.readImmediately(request)
        }
    }

    /// A woken reader that reads from one place and keeps what it got.
    private final class RecordingReader: WokenReader, @unchecked Sendable {
        let path: String
        let offset: StreamOffset
        let store: CountingStore
        var read: ReadOutcome?

        init(path: String, offset: StreamOffset, store: CountingStore) {
            self.path = path
            self.offset = offset
            self.store = store
        }

        func readAfterWake() {
            let request = ReadRequest(path: path, start: .offset(offset), maxBytes: 1 << 20)
            read = try? WokenReaders.readImmediately(request, from: store)?.get()
        }
    }

    @Test func readersAtTheSameStreamAndOffsetShareOneReadInABatch() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let store = CountingStore()
        let plain = StreamContentType("text/plain")
        _ = try await store.create(CreateStreamRequest(path: "a", contentType: plain, body: ByteBuffer(string: "first")), on: loop).get()
        _ = try await store.create(CreateStreamRequest(path: "b", contentType: plain, body: ByteBuffer(string: "other")), on: loop).get()
        let history = try store.inner.readImmediately(ReadRequest(path: "a", start: .beginning, maxBytes: 1 << 20))?.get()
        let middle = try #require(history).next
        _ = try await store.append(AppendRequest(path: "a", contentType: plain, body: ByteBuffer(string: "second")), on: loop).get()
        let start = StreamOffset.zero
        let readers = [
            RecordingReader(path: "a", offset: middle, store: store),
            RecordingReader(path: "a", offset: middle, store: store),
            RecordingReader(path: "a", offset: start, store: store),
            RecordingReader(path: "b", offset: start, store: store),
            RecordingReader(path: "a", offset: start, store: store),
        ]
        try await loop.submit { for reader in readers { WokenReaders.readLater(reader, on: loop) } }.get()
        try await loop.submit {}.get()  // the batch ran on the turn before this one

        let texts = readers.map { $0.read.map { String(buffer: $0.chunks.reduce(into: ByteBuffer()) { $0.writeImmutableBuffer($1) }) } }
        #expect(texts == ["second", "second", "firstsecond", "other", "firstsecond"])
        // a@middle once, a@start twice (b's read came between), b@start once.
        #expect(store.immediateReads.withLockedValue { $0 } == 4)

        // Outside a batch every read goes to the store.
        try await loop.submit { readers[0].readAfterWake(); readers[1].readAfterWake() }.get()
        #expect(store.immediateReads.withLockedValue { $0 } == 6)
        try await group.shutdownGracefully()
    }
}
