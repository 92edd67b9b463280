import Dispatch
import Foundation
import Synchronization

/// Saves the subscription state on a dedicated serial queue (never on an event loop). Each write takes
/// the newest state at the time it runs, so writes can never go backwards, and a write is skipped when
/// nothing changed since the last one. Without a directory nothing is written.
final class StatePersistence: Sendable {
    private let file: SnapshotFile?
    private let queue = DispatchQueue(label: "durable-streams.subscriptions.persistence")
    private let state = Mutex<State>(State())

    private struct State {
        var source: (@Sendable () -> (EngineSnapshot, UInt64))?
        var lastWritten: UInt64?
        var flushQueued = false
    }

    static let stateFileName = "subscriptions.json"

    init(file: SnapshotFile?) {
        self.file = file
    }

    /// Where snapshots come from: the state and its version.
    func setSource(_ source: @escaping @Sendable () -> (EngineSnapshot, UInt64)) {
        state.withLock { $0.source = source }
    }

    /// The saved state, or an empty one.
    func load() throws -> EngineSnapshot {
        guard let file, let data = try file.read(Self.stateFileName) else { return EngineSnapshot() }
        do {
            return try JSONDecoder().decode(EngineSnapshot.self, from: data)
        } catch {
            throw PersistenceError.corrupt("\(Self.stateFileName): \(error)")
        }
    }

    /// Writes the current state durably; returns once it is on disk.
    func save() async throws {
        guard file != nil else { return }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            queue.async {
                do {
                    try self.writeCurrent()
                    continuation.resume()
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    /// Schedules a write of the current state unless one is already queued.
    func saveSoon() {
        guard file != nil else { return }
        let shouldQueue = state.withLock { state -> Bool in
            defer { state.flushQueued = true }
            return !state.flushQueued
        }
        guard shouldQueue else { return }
        queue.async {
            self.state.withLock { $0.flushQueued = false }
            try? self.writeCurrent()
        }
    }

    /// Runs on the queue.
    private func writeCurrent() throws {
        guard let file, let source = state.withLock({ $0.source }) else { return }
        let (snapshot, version) = source()
        if state.withLock({ $0.lastWritten == version }) { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try file.write(Self.stateFileName, try encoder.encode(snapshot))
        state.withLock { $0.lastWritten = version }
    }
}
