import Foundation
import NIOCore
import NIOPosix

/// Runs scenarios against one server and collects a ``BenchReport``.
public struct BenchRunner: Sendable {
    /// The options in force.
    public let options: BenchOptions
    private let target: BenchTarget

    /// Validates the options (the URL must be plain `http://`).
    public init(options: BenchOptions) throws {
        self.options = options
        self.target = try BenchTarget(url: options.url)
    }

    /// Runs `scenarios` in order; `progress` receives one line per case as it finishes.
    public func run(_ scenarios: [BenchScenario], progress: @escaping @Sendable (String) -> Void = { _ in }) async throws -> BenchReport {
        ProcessMemory.raiseFileLimit()
        let threads = max(1, options.threads)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        let startedAt = ISO8601DateFormatter().string(from: Date())
        let loadStart = ProcessMemory.loadAverage()
        let allLoops = Array(group.makeIterator())
        let context = RunContext(
            options: options,
            target: target,
            loops: allLoops,
            runID: String(UInt32.random(in: 0...UInt32.max), radix: 36),
            progress: progress
        )
        var results: [String: ScenarioResult] = [:]
        do {
            for scenario in scenarios {
                progress("== \(scenario.rawValue)")
                results[scenario.rawValue] = try await run(scenario, context: context)
            }
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
        try await group.shutdownGracefully()
        return BenchReport(
            url: options.url,
            startedAt: startedAt,
            options: options,
            machine: MachineInfo(cores: System.coreCount, loadAverageStart: loadStart, loadAverageEnd: ProcessMemory.loadAverage()),
            results: results
        )
    }

    private func run(_ scenario: BenchScenario, context: RunContext) async throws -> ScenarioResult {
        switch scenario {
        case .append: return try await AppendScenario.run(context)
        case .appendProducer: return try await ProducerScenario.run(context)
        case .appendJSON: return try await AppendScenario.runJSON(context)
        case .read: return try await ReadScenario.run(context)
        case .longPoll: return try await LiveScenario.run(context, mode: .longPoll)
        case .sse: return try await LiveScenario.run(context, mode: .sse)
        case .create: return try await CreateScenario.run(context)
        case .idle: return try await IdleScenario.run(context)
        }
    }
}
