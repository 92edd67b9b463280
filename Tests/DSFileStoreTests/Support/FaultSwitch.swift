import DSFileStore
import Synchronization

/// Failures a test switches on and off for the writer's I/O steps (the store's fault-injection seam).
final class FaultSwitch: Sendable {
    private let faults = Mutex<[WriterStep: Int32]>([:])

    /// Makes every `step` fail with `errno` until cleared.
    func fail(_ step: WriterStep, with errno: Int32) {
        faults.withLock { $0[step] = errno }
    }

    func clear() {
        faults.withLock { $0 = [:] }
    }

    var injector: @Sendable (WriterStep) -> Int32? {
        { [self] step in self.faults.withLock { $0[step] } }
    }
}
