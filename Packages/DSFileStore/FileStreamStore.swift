import DSProtocol
import DSStore
import Logging
import NIOCore
import Synchronization

/// A durable store: every stream is an append-only log file, its metadata lives in LMDB, and an append
/// is acknowledged only once both are on disk.
///
/// Appends, creates and deletes from every connection queue to one writer thread, which commits them in
/// groups: write the frames, make them durable with one record in a shared journal and one `fdatasync`, commit one LMDB transaction with every
/// stream's new tail, producer state and closure, then answer. The LMDB commit is the commit point; on
/// open, log bytes past it are cut, so a crash at any moment loses only unacknowledged requests.
/// Reads run on reader threads with `pread`, in time proportional to the bytes returned.
/// See `Docs/ARCHITECTURE-filestore.md`.
public final class FileStreamStore: StreamStore {
    let context: StoreContext
    let writer: CommitWriter
    private let lockDescriptor: Int32
    let isOpen = Atomic<Bool>(true)
    /// Serving a read-only directory: every write is refused with `503`.
    public let isReadOnly: Bool
    private let allocator = ByteBufferAllocator()

    /// Opens the data directory at `directory`, creating it if needed and recovering from any crash.
    ///
    /// Blocks while it loads the metadata and checks the logs; call it before serving requests.
    /// Only one store (in any process) may use a directory at a time.
    public init(directory: String, options: FileStoreOptions = FileStoreOptions()) throws(StoreError) {
        let started = ContinuousClock.now
        let layout = DataDirectory(root: directory)
        var lock: Int32 = -1
        var journal: Journal?
        do throws(FileStoreFailure) {
            var readOnly = options.readOnly
            if !readOnly {
                do throws(FileStoreFailure) {
                    try layout.prepare()
                    lock = try SystemCall.lockFile(layout.lockPath, patience: options.lockWait)
                } catch let failure where failure.isReadOnlyFileSystem {
                    options.logger.warning("the data directory is on a read-only file system: serving reads, refusing writes", metadata: ["directory": "\(directory)"])
                    readOnly = true
                }
            }
            if readOnly { lock = try SystemCall.lockFileForReading(layout.lockPath, patience: options.lockWait) }
            let metadata = try MetadataStore(directory: layout.metadataPath, mapSize: options.metadataMapSize, readOnly: readOnly)
            let context = StoreContext(directory: layout, metadata: metadata, options: options)
            // A read-only directory is served as it is: its journal is not replayed (see Docs/ARCHITECTURE-filestore.md).
            if !readOnly { journal = try Journal.open(layout, capacity: options.journalCapacity, logger: options.logger) }
            let recovered = try Recovery.run(context: context, journal: &journal)
            for stream in recovered.streams {
                context.table.insert(stream)
                let hasExpiry = stream.state.withLock { $0.isLive && $0.record.expiry != .none }
                if hasExpiry { context.expiring.withLock { $0[ObjectIdentifier(stream)] = stream } }
            }
            context.threads.start()
            self.context = context
            self.writer = CommitWriter(context: context, nextID: recovered.nextID, journal: journal)
            self.lockDescriptor = lock
            self.isReadOnly = readOnly
            if !readOnly {
                let trash = layout.trashPath
                for name in try SystemCall.listDirectory(trash) {
                    context.threads.submit { _ in try? SystemCall.removeFile(trash + "/" + name) }
                }
                context.syncer.start()
                writer.start()
            }
            options.logger.info(
                "file store opened",
                metadata: [
                    "directory": "\(directory)", "streams": "\(recovered.streams.count)", "readOnly": "\(readOnly)",
                    "elapsed": "\(ContinuousClock.now - started)",
                ]
            )
        } catch {
            journal?.close()
            if lock >= 0 { SystemCall.closeFile(lock) }
            throw error.storeError
        }
    }

    /// The number of streams held, soft-deleted ones (kept for their forks) included.
    public var streamCount: Int { context.table.count }

    /// What the writer has done since the store opened.
    public var statistics: FileStoreStatistics { context.statistics.snapshot(recentFrameBytes: context.recentFrames.bytes) }

    /// Finishes queued writes, persists sliding-TTL access times, and releases files and threads.
    /// Later calls fail with ``StoreError/unavailable(_:)``.
    public func close() async throws {
        guard isOpen.exchange(false, ordering: .acquiringAndReleasing) else { return }
        _ = writer.submit(.flushAccessTimes)
        await writer.stop()
        if !isReadOnly { await context.syncer.shutdown() }
        try await context.threads.shutdownGracefully()
        context.files.closeAll()
        context.metadata.environment.close()
        if lockDescriptor >= 0 { SystemCall.closeFile(lockDescriptor) }
        let statistics = self.statistics
        context.logger.info(
            "file store closed",
            metadata: [
                "groupCommits": "\(statistics.groupCommits)",
                "requests": "\(statistics.requests)",
                "journalSyncs": "\(statistics.journalSyncs)",
                "logSyncs": "\(statistics.logSyncs)",
                "checkpoints": "\(statistics.checkpoints)",
                "bytesWritten": "\(statistics.bytesWritten)",
                "readsFromMemory": "\(statistics.readsFromMemory)",
            ]
        )
    }

    // MARK: - Writes

    public func create(_ request: CreateStreamRequest, on eventLoop: any EventLoop) -> EventLoopFuture<CreateStreamOutcome> {
        if let spec = request.fork { return createFork(request, spec: spec, on: eventLoop) }
        let contentType = request.contentType ?? .defaultType
        let payloads: [ByteBuffer]
        do throws(ProtocolError) {
            payloads = try framePayloads(request.body, json: contentType.isJSON, allowEmptyArray: true)
        } catch {
            return eventLoop.makeFailedFuture(StoreError.invalid(error))
        }
        let promise = eventLoop.makePromise(of: CreateStreamOutcome.self)
        submit(.create(CreateOperation(request: request, contentType: contentType, payloads: payloads, promise: promise)))
        return promise.futureResult
    }

    public func append(_ request: AppendRequest, on eventLoop: any EventLoop) -> EventLoopFuture<AppendOutcome> {
        // Every append goes through the writer, even to a missing stream: a create queued just before it
        // must be applied first, so operations on the store take effect in the order they were made.
        let hasBody = request.body.readableBytes > 0
        // Validated before queueing; errors are reported by the writer in protocol precedence order.
        let payloads = Result { () throws(ProtocolError) -> [ByteBuffer] in
            try framePayloads(request.body, json: hasBody && request.contentType?.isJSON == true, allowEmptyArray: false)
        }
        let promise = eventLoop.makePromise(of: AppendOutcome.self)
        submit(.append(AppendOperation(request: request, hasBody: hasBody, payloads: payloads, promise: promise)))
        return promise.futureResult
    }

    public func delete(path: String, now: StoreTimestamp, on eventLoop: any EventLoop) -> EventLoopFuture<DeleteOutcome> {
        let promise = eventLoop.makePromise(of: DeleteOutcome.self)
        submit(.delete(DeleteOperation(path: path, now: now, promise: promise)))
        return promise.futureResult
    }

    func submit(_ operation: WriteOperation) {
        if isReadOnly { return operation.fail(.unavailable("the data directory is read-only")) }
        guard isOpen.load(ordering: .acquiring), writer.submit(operation) else {
            return operation.fail(.unavailable("the store is closed"))
        }
    }

    /// The frame payloads of a body: one per JSON message (validated, flattened, each followed by `,`),
    /// or bounded slices of any other body.
    func framePayloads(_ body: ByteBuffer, json: Bool, allowEmptyArray: Bool) throws(ProtocolError) -> [ByteBuffer] {
        guard body.readableBytes > 0 else { return [] }
        guard json else { return LogFrame.payloads(of: body, messageEnds: nil) }
        let framed = try JSONStreamFraming.frameMessages(body, allowEmptyArray: allowEmptyArray, allocator: allocator)
        return LogFrame.payloads(of: framed.bytes, messageEnds: framed.messageEnds)
    }
}
