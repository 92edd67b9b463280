import DSProtocol
import DSStore
import NIOCore
import NIOPosix

/// A response whose bookkeeping (metrics, log record, the request's end) can wait until a wake batch has written
/// all its answers. See ``WokenReaders/finishAfterBatch(_:on:)``.
protocol BatchFinishable: AnyObject {
    /// Finishes the response written during the batch. Runs on the same loop, after the batch's last answer.
    func finishAfterBatch()
}

/// A live reader (long-poll or SSE) that reads again after its stream changed.
protocol WokenReader: AnyObject {
    /// Reads what arrived and answers or sends it. Runs on the reader's event loop.
    func readAfterWake()
}

/// The live readers woken on one event loop, read again together by one task on a later turn of that loop.
///
/// A woken reader reads on a later turn, not inside the append that woke it: a busy server then takes in every
/// append already queued on the writer's connection first, and the reader gets them all in one answer or event.
/// Scheduling that turn with one `EventLoop.execute` per reader cost a closure, a lock and a queue move per reader;
/// a fan-out to 1,000 readers paid them 1,000 times per append. Readers woken on a loop now join that loop's batch,
/// and one task runs the batch.
///
/// Readers of one batch usually wait at the same offset of the same stream (a fan-out), so while a batch runs,
/// the read it makes for one reader answers the next ones at the same place (``readImmediately(_:from:)``):
/// one store lookup and lock per loop and append rather than one per reader, and no contention for the
/// stream's lock between the loops' batches. A reader later in the batch gets the bytes as they were when
/// the batch's read was made, as if it had read a moment sooner; anything appended since wakes it again.
///
/// Each batch belongs to one thread and is only touched there (it is found through a thread-specific variable),
/// which is what makes the unchecked `Sendable` sound.
final class WokenReaders: @unchecked Sendable {
    /// The batch of the calling thread (each NIO event loop has a thread of its own).
    private static let current = ThreadSpecificVariable<WokenReaders>()

    private let eventLoop: any EventLoop
    private var pending: [any WokenReader] = []
    private var running: [any WokenReader] = []
    private var scheduled = false
    /// While ``readAll()`` runs: the last read made for one of its readers.
    private var sharedRead: SharedRead?
    private var isReading = false
    /// Responses written during the running batch whose bookkeeping waits until every answer is written.
    private var finishing: [any BatchFinishable] = []

    private struct SharedRead {
        let path: String
        let start: StreamOffset
        let maxBytes: Int
        let result: Result<ReadOutcome, StoreError>
    }

    private init(eventLoop: any EventLoop) { self.eventLoop = eventLoop }

    /// Has `reader` read again on a later turn of `eventLoop`. Call on `eventLoop`.
    static func readLater(_ reader: any WokenReader, on eventLoop: any EventLoop) {
        let batch: WokenReaders
        if let existing = current.currentValue, existing.eventLoop === eventLoop {
            batch = existing
        } else if current.currentValue == nil {
            batch = WokenReaders(eventLoop: eventLoop)
            current.currentValue = batch
        } else {
            // Another loop on this thread (test loops): no shared batch.
            let reader = NIOLoopBound(reader, eventLoop: eventLoop)
            eventLoop.execute { reader.value.readAfterWake() }
            return
        }
        batch.pending.append(reader)
        guard !batch.scheduled else { return }
        batch.scheduled = true
        eventLoop.execute { batch.readAll() }
    }

    /// Reads for every reader woken before this turn; readers woken meanwhile wait for the next task.
    private func readAll() {
        scheduled = false
        swap(&pending, &running)
        isReading = true
        for reader in running { reader.readAfterWake() }
        isReading = false
        sharedRead = nil
        running.removeAll(keepingCapacity: true)
        // Bookkeeping after the writes: the last reader of a fan-out is answered without waiting for the
        // metrics, log records and request ends of all the readers before it.
        for response in finishing { response.finishAfterBatch() }
        finishing.removeAll(keepingCapacity: true)
    }

    /// Has `response` finished once the running batch has written all its answers, and returns `true`; outside a
    /// batch of `eventLoop` returns `false` (the caller finishes it now). Call on `eventLoop`.
    static func finishAfterBatch(_ response: any BatchFinishable, on eventLoop: any EventLoop) -> Bool {
        guard let batch = current.currentValue, batch.isReading, batch.eventLoop === eventLoop else { return false }
        batch.finishing.append(response)
        return true
    }

    /// `store.readImmediately(request)`, shared with the other readers of the running batch that read the same
    /// stream from the same offset. Outside a batch it is the store's read. Call on the reader's event loop.
    static func readImmediately(_ request: ReadRequest, from store: any StreamStore) -> Result<ReadOutcome, StoreError>? {
        guard let batch = current.currentValue, batch.isReading, case .offset(let start) = request.start else {
            return store.readImmediately(request)
        }
        if let shared = batch.sharedRead, shared.start == start, shared.maxBytes == request.maxBytes, shared.path == request.path {
            return shared.result
        }
        let result = store.readImmediately(request)
        batch.sharedRead = result.map { SharedRead(path: request.path, start: start, maxBytes: request.maxBytes, result: $0) }
        return result
    }
}
