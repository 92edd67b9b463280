import NIOCore

/// Reads the server's RSS at given instants (e.g. when a case's measurement starts, halfway, and when it ends),
/// so growth at steady state can be told from growth during warm-up.
final class RSSCheckpoints: Sendable {
    private let pid: Int32?
    private let readings: NIOLoopBoundBox<[Int: ResidentMemory]>
    private let tasks: [Scheduled<Void>]

    /// Schedules one reading per instant of `times` (``BenchClock`` nanoseconds) on `eventLoop`.
    init(pid: Int32?, at times: [UInt64], on eventLoop: any EventLoop) {
        self.pid = pid
        let readings = NIOLoopBoundBox.makeBoxSendingValue([:], as: [Int: ResidentMemory].self, eventLoop: eventLoop)
        self.readings = readings
        guard let pid else {
            tasks = []
            return
        }
        tasks = times.enumerated().map { index, time in
            eventLoop.scheduleTask(in: .nanoseconds(BenchClock.nanoseconds(until: time))) {
                if let value = ProcessMemory.resident(pid: pid) { readings.value[index] = value }
            }
        }
    }

    /// The readings taken, by index into the instants given (missing ones were not reached or failed).
    func finish() async -> [Int: ResidentMemory] {
        guard pid != nil else { return [:] }
        let readings = self.readings
        return (try? await readings.eventLoop.submit { () -> [Int: ResidentMemory] in
            for task in self.tasks { task.cancel() }
            return readings.value
        }.get()) ?? [:]
    }
}
