import DSFileStore
import DSPathEncoding
import DSProtocol
import DSServer
import DSStore
import DSTestSupport
import Foundation
import NIOCore
import NIOPosix

/// A data directory that tests open, close and reopen stores on, and inspect on disk.
struct FileStoreHarness: Sendable {
    let directory: TemporaryDirectory
    var options: FileStoreOptions

    init(options: FileStoreOptions = .forTests) throws {
        directory = try TemporaryDirectory()
        self.options = options
    }

    /// Opens a store on the directory (recovering whatever a previous one left).
    func open() throws -> FileStreamStore {
        try FileStreamStore(directory: directory.path, options: options)
    }

    /// Opens a store, serves it over HTTP for `body`, then stops the server and closes the store.
    @discardableResult
    func withServer<T: Sendable>(
        configure: (inout ServerOptions) -> Void = { _ in },
        _ body: (TestServer) async throws -> T
    ) async throws -> T {
        try await TestServer.with(store: open(), configure: configure, body)
    }

    /// Opens a store, runs `body` with it, and closes it.
    @discardableResult
    func withStore<T: Sendable>(_ body: (FileStreamStore) async throws -> T) async throws -> T {
        let store = try open()
        do {
            let result = try await body(store)
            try await store.close()
            return result
        } catch {
            try? await store.close()
            throw error
        }
    }

    /// The same directory, opened with a logger that records into `recorder`.
    func logging(to recorder: LogRecorder) -> FileStoreHarness {
        var copy = self
        copy.options.logger = recorder.logger
        return copy
    }

    var streamsDirectory: String { directory.path + "/streams" }
    var trashDirectory: String { directory.path + "/trash" }
    var journalFile: String { directory.path + "/journal" }

    /// The files in `streams/`.
    func logFiles() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: streamsDirectory).sorted()
    }

    /// The log file of the stream at `path` (there is exactly one per live stream with data).
    func logFile(of path: String) throws -> String {
        let prefix = encodeStreamPath(path) + "."
        let matches = try logFiles().filter { $0.hasPrefix(prefix) && !$0.dropFirst(prefix.count).contains(".") }
        guard matches.count == 1 else { throw TestFailure("expected one log for \(path), found \(matches)") }
        return streamsDirectory + "/" + matches[0]
    }

    func fileSize(_ path: String) throws -> UInt64 {
        (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.uint64Value ?? 0
    }

    func remove() { directory.remove() }
}

/// Direct calls on a store, for white-box tests that control the clock.
enum StoreCalls {
    static var loop: any EventLoop { MultiThreadedEventLoopGroup.singleton.next() }

    @discardableResult
    static func create(
        _ store: any StreamStore,
        _ path: String,
        contentType: String = "text/plain",
        expiry: StreamExpiry = .none,
        closed: Bool = false,
        body: String = "",
        now: StoreTimestamp = .now()
    ) async throws -> CreateStreamOutcome {
        let request = CreateStreamRequest(
            path: path,
            contentType: StreamContentType(contentType),
            expiry: expiry,
            closed: closed,
            body: ByteBuffer(string: body),
            now: now
        )
        return try await store.create(request, on: loop).get()
    }

    @discardableResult
    static func append(
        _ store: any StreamStore,
        _ path: String,
        _ text: String,
        contentType: String = "text/plain",
        close: Bool = false,
        seq: String? = nil,
        producer: ProducerStamp? = nil,
        now: StoreTimestamp = .now()
    ) async throws -> AppendOutcome {
        let request = AppendRequest(
            path: path,
            contentType: text.isEmpty ? nil : StreamContentType(contentType),
            body: ByteBuffer(string: text),
            close: close,
            seq: seq,
            producer: producer,
            now: now
        )
        return try await store.append(request, on: loop).get()
    }

    static func read(
        _ store: any StreamStore,
        _ path: String,
        from start: ReadStart = .beginning,
        maxBytes: Int = 1 << 20,
        now: StoreTimestamp = .now()
    ) async throws -> ReadOutcome {
        try await store.read(ReadRequest(path: path, start: start, maxBytes: maxBytes, now: now), on: loop).get()
    }

    /// Every byte of a stream, following `next` offsets in reads of at most `chunk` bytes.
    static func readAll(_ store: any StreamStore, _ path: String, chunk: Int = 1 << 20) async throws -> (bytes: [UInt8], tail: StreamOffset) {
        var bytes: [UInt8] = []
        var start = ReadStart.beginning
        while true {
            let outcome = try await read(store, path, from: start, maxBytes: chunk)
            for buffer in outcome.chunks { bytes += Array(buffer.readableBytesView) }
            if outcome.isUpToDate { return (bytes, outcome.next) }
            start = .offset(outcome.next)
        }
    }

    static func text(_ outcome: ReadOutcome) -> String {
        outcome.chunks.map { String(buffer: $0) }.joined()
    }

    static func metadata(_ store: any StreamStore, _ path: String, now: StoreTimestamp = .now()) async throws -> StreamInfo {
        try await store.metadata(path: path, now: now, on: loop).get()
    }
}

/// Appends raw bytes to the end of a file, as a crash mid-write would leave them.
func appendBytes(_ bytes: [UInt8], toFile path: String) throws {
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    defer { try? handle.close() }
    try handle.seekToEnd()
    try handle.write(contentsOf: Data(bytes))
}

/// Cuts a file to `length` bytes.
func truncateFile(_ path: String, to length: UInt64) throws {
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    defer { try? handle.close() }
    try handle.truncate(atOffset: length)
}

/// Flips the bits of the byte at `offset` of a file.
func corruptByte(at offset: UInt64, ofFile path: String) throws {
    let handle = try FileHandle(forUpdatingAtPath: path).unwrap("open \(path)")
    defer { try? handle.close() }
    try handle.seek(toOffset: offset)
    let byte = try handle.read(upToCount: 1).unwrap("read \(path)")
    try handle.seek(toOffset: offset)
    try handle.write(contentsOf: Data([~byte[0]]))
}

extension Optional {
    func unwrap(_ what: String) throws -> Wrapped {
        guard let self else { throw TestFailure("nothing for \(what)") }
        return self
    }
}

/// Bytes that do not compress (so gzip'd responses stay within the HTTP client's decompression ratio).
func pseudoRandomBytes(count: Int, seed: UInt64) -> [UInt8] {
    var generator = SeededGenerator(seed: seed)
    return (0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
}
