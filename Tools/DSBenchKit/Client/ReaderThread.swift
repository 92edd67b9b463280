import CBenchSockets
import Foundation
import NIOConcurrencyHelpers

#if canImport(Glibc)
import Glibc
#endif

/// A thread running an epoll loop over live readers' ``ReaderConnection``s: the load generator's side of the
/// `long-poll` and `sse` scenarios.
///
/// The NIO client costs a pipeline walk, a pooled buffer and a few dozen reference counts per response; with
/// 1,000 readers and an append every 10 ms that is 100,000 responses a second on the two cores the server under
/// test needs. Here a ready socket costs one `recvmsg` (which also brings the kernel's receive timestamp, so
/// the latency measured is the server's, not this process's scheduling), one parse and one `write`.
///
/// Everything a connection or reader touches runs on this thread: work from elsewhere goes through
/// ``execute(_:)`` or ``submit(_:)``. That confinement is what makes the unchecked `Sendable` sound.
final class ReaderThread: @unchecked Sendable {
    private let epoll: Int32
    /// Written to wake the loop for queued work.
    private let wakeup: Int32
    private let lock = NIOLock()
    /// Work queued from other threads (under `lock`).
    private var queued: [() -> Void] = []
    private var stopRequested = false
    /// Connections by descriptor (this thread only).
    private var connections: [ReaderConnection?] = []
    /// Set by ``shutdown()`` on the thread: the loop ends after the work queued with it.
    private var stopping = false
    /// `CLOCK_MONOTONIC` minus `CLOCK_REALTIME`, to put the kernel's receive timestamps on ``BenchClock``.
    private let realtimeToMonotonic: Int64
    private let address: ServerAddress

    /// Starts the thread; its connections go to `address`.
    init(name: String, address: ServerAddress) throws(BenchError) {
        self.address = address
        epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        wakeup = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard epoll >= 0, wakeup >= 0 else { throw .setupFailed("epoll or eventfd: errno \(errno)") }
        var realtime = timespec()
        clock_gettime(CLOCK_REALTIME, &realtime)
        let monotonic = BenchClock.now()
        realtimeToMonotonic = Int64(monotonic) - (Int64(realtime.tv_sec) * 1_000_000_000 + Int64(realtime.tv_nsec))
        var event = CBenchSockets_event(wakeup, EPOLLIN.rawValue)
        epoll_ctl(epoll, EPOLL_CTL_ADD, wakeup, &event)
        let thread = Thread { [self] in run() }
        thread.name = name
        thread.start()
    }

    /// Runs `body` on the thread; false (and `body` never runs) once the thread was shut down.
    @discardableResult
    func execute(_ body: @escaping @Sendable () -> Void) -> Bool {
        let accepted = lock.withLock {
            guard !stopRequested else { return false }
            queued.append(body)
            return true
        }
        guard accepted else { return false }
        var one: UInt64 = 1
        _ = Glibc.write(wakeup, &one, 8)
        return true
    }

    /// Runs `body` on the thread and returns its result.
    func submit<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let accepted = execute { continuation.resume(with: Result { try body() }) }
            if !accepted { continuation.resume(throwing: BenchError.setupFailed("the reader thread has stopped")) }
        }
    }

    /// Closes every connection (their consumers are told) and ends the thread, which closes its epoll and
    /// wake-up descriptors as it leaves.
    func shutdown() async {
        try? await submit { [self] in
            stopping = true  // first: a reader told of its closed connection cannot open another
            for connection in connections { connection?.close() }
        }
    }

    /// Opens a connection to the server (a blocking connect: loopback answers at once, and one handshake at a
    /// time never overruns the server's listen backlog). Call on the thread.
    func connect() throws(BenchError) -> ReaderConnection {
        guard !stopping else { throw .connectionFailed("the reader thread is shutting down") }
        let descriptor = try address.connect()
        let connection = ReaderConnection(descriptor: descriptor, thread: self)
        if Int(descriptor) >= connections.count {
            connections.append(contentsOf: repeatElement(nil, count: Int(descriptor) + 1 - connections.count))
        }
        connections[Int(descriptor)] = connection
        var event = CBenchSockets_event(descriptor, EPOLLIN.rawValue | EPOLLRDHUP.rawValue)
        guard epoll_ctl(epoll, EPOLL_CTL_ADD, descriptor, &event) == 0 else {
            connections[Int(descriptor)] = nil
            Glibc.close(descriptor)
            throw .connectionFailed("epoll_ctl: errno \(errno)")
        }
        return connection
    }

    /// Watches `connection` for writability too (it has unsent bytes), or no longer.
    func watch(_ connection: ReaderConnection, writable: Bool) {
        let interest = EPOLLIN.rawValue | EPOLLRDHUP.rawValue | (writable ? EPOLLOUT.rawValue : 0)
        var event = CBenchSockets_event(connection.descriptor, interest)
        epoll_ctl(epoll, EPOLL_CTL_MOD, connection.descriptor, &event)
    }

    /// Drops a closing connection (before its descriptor is closed).
    func forget(_ connection: ReaderConnection) {
        epoll_ctl(epoll, EPOLL_CTL_DEL, connection.descriptor, nil)
        if Int(connection.descriptor) < connections.count { connections[Int(connection.descriptor)] = nil }
    }

    /// A kernel receive timestamp (CLOCK_REALTIME nanoseconds) on the ``BenchClock`` scale.
    func monotonic(fromRealtime nanoseconds: Int64) -> UInt64 {
        UInt64(max(0, nanoseconds + realtimeToMonotonic))
    }

    private func run() {
        // Each answer the server writes wakes this thread. Under the default policy the woken reader preempts the
        // server's event loop on that core, so a fan-out to 1,000 readers became 1,000 context-switch pairs
        // (seen with `perf sched`); as a batch thread it waits for its turn, as a client on another machine
        // would not compete at all. Its share of the cores is unchanged.
        _ = CBenchSockets_yieldOnWakeup()
        let capacity = 256
        let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: capacity)
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 * 1024, alignment: 16)
        defer {
            events.deallocate()
            scratch.deallocate()
            Glibc.close(epoll)
            Glibc.close(wakeup)
        }
        while true {
            let count = epoll_wait(epoll, events, Int32(capacity), -1)
            if count < 0 {
                if errno == EINTR { continue }
                return
            }
            for index in 0..<Int(count) {
                let descriptor = CBenchSockets_eventDescriptor(events + index)
                let flags = events[index].events
                if descriptor == wakeup {
                    if runQueued() { return }
                    continue
                }
                guard Int(descriptor) < connections.count, let connection = connections[Int(descriptor)] else { continue }
                if flags & EPOLLOUT.rawValue != 0 { connection.writable() }
                if flags & (EPOLLIN.rawValue | EPOLLRDHUP.rawValue | EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0 {
                    connection.readable(scratch: scratch)
                }
            }
        }
    }

    /// Runs the queued work; true when the thread should end.
    private func runQueued() -> Bool {
        var value: UInt64 = 0
        _ = Glibc.read(wakeup, &value, 8)
        let work = lock.withLock {
            let work = queued
            queued.removeAll()
            return work
        }
        for body in work { body() }
        guard stopping else { return false }
        // Work queued after the stop but before `execute` could see it still runs; nothing is accepted after.
        let late = lock.withLock {
            stopRequested = true
            let late = queued
            queued.removeAll()
            return late
        }
        for body in late { body() }
        return true
    }
}

/// A value that lives on one ``ReaderThread`` and is only touched by work run there.
struct ThreadBound<Value>: @unchecked Sendable {
    let value: Value
    let thread: ReaderThread

    init(_ value: Value, thread: ReaderThread) {
        self.value = value
        self.thread = thread
    }
}
