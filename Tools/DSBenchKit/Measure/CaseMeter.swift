import NIOCore

/// Measures what one case cost: the server's RSS sampled once a second (when its PID is known) and the CPU
/// time the server and this load generator used, which stays meaningful when other work shares the cores.
final class CaseMeter: Sendable {
    private let pid: Int32?
    private let task: RepeatedTask?
    private let samples: NIOLoopBoundBox<[Int]>
    private let serverCPUStart: Double?
    private let clientCPUStart: Double?

    init(pid: Int32?, on eventLoop: any EventLoop) {
        self.pid = pid
        samples = .makeBoxSendingValue([], as: [Int].self, eventLoop: eventLoop)
        serverCPUStart = pid.flatMap { ProcessMemory.cpuSeconds(pid: $0) }
        clientCPUStart = ProcessMemory.cpuSeconds(pid: nil)
        guard let pid else {
            task = nil
            return
        }
        let samples = self.samples
        if let first = ProcessMemory.residentKiB(pid: pid) {
            eventLoop.execute { samples.value.append(first) }
        }
        task = eventLoop.scheduleRepeatedTask(initialDelay: .seconds(1), delay: .seconds(1)) { _ in
            if let value = ProcessMemory.residentKiB(pid: pid) { samples.value.append(value) }
        }
    }

    /// Stops sampling (with one last sample) and summarises.
    func finish() async -> CaseResources {
        var cpu = CPUUsage()
        if let start = clientCPUStart, let end = ProcessMemory.cpuSeconds(pid: nil) { cpu.clientSeconds = ((end - start) * 100).rounded() / 100 }
        if let pid, let start = serverCPUStart, let end = ProcessMemory.cpuSeconds(pid: pid) { cpu.serverSeconds = ((end - start) * 100).rounded() / 100 }
        guard let task, let pid else { return CaseResources(rss: nil, cpu: cpu) }
        let promise = samples.eventLoop.makePromise(of: Void.self)
        task.cancel(promise: promise)
        try? await promise.futureResult.get()
        let last = ProcessMemory.residentKiB(pid: pid)
        let samples = self.samples
        let values = try? await samples.eventLoop.submit { () -> [Int] in
            if let last { samples.value.append(last) }
            return samples.value
        }.get()
        guard let values, let first = values.first, let end = values.last else { return CaseResources(rss: nil, cpu: cpu) }
        return CaseResources(rss: RSSSummary(startKib: first, endKib: end, maxKib: values.max() ?? end, samples: values.count, series: values), cpu: cpu)
    }
}

/// What ``CaseMeter`` measured.
struct CaseResources: Sendable {
    var rss: RSSSummary?
    var cpu: CPUUsage

    /// Adds a later part of the same case: CPU times add up, RSS runs from this part's start to `later`'s end.
    mutating func add(_ later: CaseResources) {
        cpu.serverSeconds = Self.sum(cpu.serverSeconds, later.cpu.serverSeconds)
        cpu.clientSeconds = Self.sum(cpu.clientSeconds, later.cpu.clientSeconds)
        guard let next = later.rss else { return }
        guard let first = rss else {
            rss = next
            return
        }
        rss = RSSSummary(
            startKib: first.startKib,
            endKib: next.endKib,
            maxKib: max(first.maxKib, next.maxKib),
            samples: first.samples + next.samples,
            series: (first.series ?? []) + (next.series ?? [])
        )
    }

    private static func sum(_ first: Double?, _ second: Double?) -> Double? {
        guard let first, let second else { return first ?? second }
        return ((first + second) * 100).rounded() / 100
    }
}

/// The server's resident memory over one case.
public struct RSSSummary: Codable, Sendable, Hashable {
    /// RSS when the case started.
    public var startKib: Int
    /// RSS when it ended.
    public var endKib: Int
    /// Largest sample.
    public var maxKib: Int
    /// Number of samples (one a second).
    public var samples: Int
    /// Every sample in KiB, one a second from the start of the case (the last one when it ended).
    public var series: [Int]?
}

/// CPU seconds (user + system) used during one case.
public struct CPUUsage: Codable, Sendable, Hashable {
    /// By the server process (needs `--server-pid`).
    public var serverSeconds: Double?
    /// By this load generator.
    public var clientSeconds: Double?
}
