import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where every log line of the process goes: handlers format a line into bytes and `append` it (a lock and a
/// copy, no system call), and one dedicated writer thread writes whatever is pending in large writes. Event loop
/// threads log every request, so they must never wait on `write(2)` to a slow terminal, pipe or disk.
///
/// Lines are appended whole under the lock, so they never interleave. Pending bytes are bounded: a line that
/// would take them past `pendingLimit` is dropped and counted, and the writer later writes one line (formatted
/// by `setDropReport`) saying how many were dropped. `flush()` waits until everything appended so far is written.
final class LogOutput: @unchecked Sendable {  // every mutable field is touched only while holding `mutex`
    /// The process's standard error, with an 8 MiB bound on pending bytes.
    static let standardError = LogOutput(pendingLimit: 8 << 20, sink: LogOutput.writer(for: STDERR_FILENO))

    private let pendingLimit: Int
    private let lingerMicroseconds: UInt32
    private let sink: @Sendable (UnsafeRawBufferPointer) -> Void
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    /// Signalled when lines arrive while the writer waits, and when it should stop.
    private let linesArrived = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    /// Broadcast after every write, for `flush()`.
    private let linesWritten = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    private var pending: [UInt8] = []
    private var droppedLines = 0
    private var acceptedBytes = 0
    private var writtenBytes = 0
    private var writerWaiting = false
    private var flushWaiters = 0
    private var stopping = false
    private var stopped = false
    private var dropReport: @Sendable (Int) -> [UInt8] = { count in Array("\(count) log lines dropped: the log output fell behind\n".utf8) }

    /// - Parameters:
    ///   - pendingLimit: Most bytes waiting to be written (beside the write in progress) before lines are dropped.
    ///   - lingerMicroseconds: How long the writer, woken by a line, lets more lines gather before writing, so a busy
    ///     server pays for one wake-up and one write per batch rather than per line. `flush()` skips the wait.
    ///   - sink: Writes one batch of whole lines; called only on the writer thread.
    init(pendingLimit: Int, lingerMicroseconds: UInt32 = 2_000, sink: @escaping @Sendable (UnsafeRawBufferPointer) -> Void) {
        self.pendingLimit = pendingLimit
        self.lingerMicroseconds = lingerMicroseconds
        self.sink = sink
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(linesArrived, nil)
        pthread_cond_init(linesWritten, nil)
        let thread = Thread { [self] in runWriter() }
        thread.name = "log-writer"
        thread.start()
    }

    deinit {
        pthread_cond_destroy(linesWritten)
        pthread_cond_destroy(linesArrived)
        pthread_mutex_destroy(mutex)
        linesWritten.deallocate()
        linesArrived.deallocate()
        mutex.deallocate()
    }

    /// A sink writing all of each batch to `descriptor` with `write(2)`; a batch the descriptor refuses is lost.
    static func writer(for descriptor: Int32) -> @Sendable (UnsafeRawBufferPointer) -> Void {
        { bytes in
            guard let base = bytes.baseAddress else { return }
            var offset = 0
            while offset < bytes.count {
                let written = write(descriptor, base + offset, bytes.count - offset)
                if written < 0 && errno == EINTR { continue }
                if written <= 0 { return }
                offset += written
            }
        }
    }

    /// Formats the line written in place of dropped lines (given how many were dropped).
    func setDropReport(_ format: @escaping @Sendable (Int) -> [UInt8]) {
        locked { dropReport = format }
    }

    /// Queues one whole line (including its newline) for writing, or drops it if too much is pending.
    func append(_ line: [UInt8]) {
        let wake: Bool = locked {
            guard !stopping, pending.count + line.count <= pendingLimit else {
                droppedLines += 1
                return false
            }
            pending.append(contentsOf: line)
            acceptedBytes += line.count
            let wake = writerWaiting
            writerWaiting = false  // one signal is enough to wake it
            return wake
        }
        if wake { pthread_cond_signal(linesArrived) }
    }

    /// Blocks until every line appended before the call has been written (or refused by the sink).
    func flush() {
        pthread_mutex_lock(mutex)
        let target = acceptedBytes
        flushWaiters += 1
        while writtenBytes < target && !stopped { pthread_cond_wait(linesWritten, mutex) }
        flushWaiters -= 1
        pthread_mutex_unlock(mutex)
    }

    /// Writes what is pending and ends the writer thread; later lines are dropped, so nothing waits for a
    /// writer that is gone. For tests, which make outputs of their own.
    func stop() {
        locked { stopping = true }
        pthread_cond_signal(linesArrived)
        pthread_mutex_lock(mutex)
        while !stopped { pthread_cond_wait(linesWritten, mutex) }
        pthread_mutex_unlock(mutex)
    }

    private func runWriter() {
        var batch: [UInt8] = []
        pthread_mutex_lock(mutex)
        while true {
            while pending.isEmpty && droppedLines == 0 && !stopping {
                writerWaiting = true
                pthread_cond_wait(linesArrived, mutex)
            }
            writerWaiting = false
            if pending.isEmpty && droppedLines == 0 { break }  // stopping, and nothing left
            if lingerMicroseconds > 0 && flushWaiters == 0 && !stopping && pending.count < pendingLimit / 4 {
                pthread_mutex_unlock(mutex)
                usleep(lingerMicroseconds)
                pthread_mutex_lock(mutex)
            }
            swap(&batch, &pending)
            let dropped = droppedLines
            droppedLines = 0
            let report = dropReport
            pthread_mutex_unlock(mutex)

            batch.withUnsafeBytes(sink)
            if dropped > 0 { report(dropped).withUnsafeBytes(sink) }

            pthread_mutex_lock(mutex)
            writtenBytes += batch.count
            // Keep the buffer for the next batch unless a burst made it large.
            batch.removeAll(keepingCapacity: batch.capacity <= 1 << 20)
            pthread_cond_broadcast(linesWritten)
        }
        stopped = true
        pthread_cond_broadcast(linesWritten)
        pthread_mutex_unlock(mutex)
    }

    private func locked<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return body()
    }
}
