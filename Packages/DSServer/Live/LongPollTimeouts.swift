import NIOCore
import Synchronization

/// The deadlines of waiting long-polls, one first-in-first-out queue per event loop.
///
/// Every long-poll of a server waits for the same timeout, so deadlines arrive in order and one scheduled task
/// for the head of each loop's queue replaces a scheduled task per waiter (NIO keeps scheduled tasks in a heap
/// and cancels one by searching it: with a thousand waiters woken by one append, a linear search each).
/// Cancelling marks the entry; cancelled entries leave from the head, or in one compaction pass once they
/// outnumber the live ones, so the queue stays about as long as the number of waiting long-polls.
final class LongPollTimeouts: Sendable {
    private let timeout: TimeAmount
    private let queues = Mutex<[ObjectIdentifier: NIOLoopBound<LoopQueue>]>([:])

    init(timeout: TimeAmount) { self.timeout = timeout }

    /// Calls `onTimeout` once the timeout has passed, unless the returned deadline is cancelled first.
    /// Call on `eventLoop`; everything about the deadline happens there.
    func add(on eventLoop: any EventLoop, onTimeout: @escaping () -> Void) -> LongPollDeadline {
        let key = ObjectIdentifier(eventLoop)
        let queue = queues.withLock { queues in
            if let queue = queues[key] { return queue }
            let queue = NIOLoopBound(LoopQueue(eventLoop: eventLoop), eventLoop: eventLoop)
            queues[key] = queue
            return queue
        }
        return queue.value.add(deadline: eventLoop.now + timeout, onTimeout: onTimeout)
    }

    /// Entries in `eventLoop`'s queue, cancelled ones not yet dropped included (for tests). Call on `eventLoop`.
    func queuedCount(on eventLoop: any EventLoop) -> Int {
        queues.withLock { $0[ObjectIdentifier(eventLoop)] }?.value.count ?? 0
    }

    /// The queue of one event loop, used only on that loop.
    final class LoopQueue {
        private let eventLoop: any EventLoop
        private var entries = CircularBuffer<LongPollDeadline>(initialCapacity: 64)
        private var cancelled = 0
        private var timerArmed = false

        init(eventLoop: any EventLoop) { self.eventLoop = eventLoop }

        var count: Int { entries.count }

        func add(deadline: NIODeadline, onTimeout: @escaping () -> Void) -> LongPollDeadline {
            let entry = LongPollDeadline(deadline: deadline, onTimeout: onTimeout, queue: self)
            entries.append(entry)
            if !timerArmed { arm(at: deadline) }
            return entry
        }

        /// Notes a cancelled entry: drops cancelled entries from the head, and compacts when most are cancelled.
        func entryCancelled() {
            cancelled += 1
            dropCancelledHead()
            guard cancelled > 64 && cancelled * 2 > entries.count else { return }
            var kept = CircularBuffer<LongPollDeadline>(initialCapacity: max(64, entries.count - cancelled))
            for entry in entries where entry.isPending { kept.append(entry) }
            entries = kept
            cancelled = 0
        }

        private func dropCancelledHead() {
            while let first = entries.first, !first.isPending {
                entries.removeFirst()
                cancelled -= 1
            }
        }

        private func arm(at deadline: NIODeadline) {
            timerArmed = true
            let queue = NIOLoopBound(self, eventLoop: eventLoop)
            eventLoop.scheduleTask(deadline: deadline) { queue.value.fireDue() }
        }

        /// Fires every entry whose deadline passed, then arms the timer for the new head. A timeout's action may
        /// add or cancel entries; the timer stays marked armed meanwhile so those calls do not arm a second one.
        private func fireDue() {
            let now = eventLoop.now
            dropCancelledHead()
            while let first = entries.first, first.deadline <= now {
                entries.removeFirst()
                first.fire()
                dropCancelledHead()
            }
            timerArmed = false
            if let next = entries.first { arm(at: next.deadline) }
        }
    }
}

/// One waiting long-poll's place in its event loop's ``LongPollTimeouts`` queue; used only on that loop.
final class LongPollDeadline {
    fileprivate let deadline: NIODeadline
    private unowned let queue: LongPollTimeouts.LoopQueue
    private var action: (() -> Void)?

    fileprivate init(deadline: NIODeadline, onTimeout: @escaping () -> Void, queue: LongPollTimeouts.LoopQueue) {
        self.deadline = deadline
        self.queue = queue
        self.action = onTimeout
    }

    fileprivate var isPending: Bool { action != nil }

    fileprivate func fire() {
        let action = self.action
        self.action = nil
        action?()
    }

    /// Drops the timeout. Cancelling twice, or after it fired, does nothing.
    func cancel() {
        guard action != nil else { return }
        action = nil
        queue.entryCancelled()
    }
}
