import Dispatch
import NIOPosix
import Synchronization

/// Makes several logs durable at once for the writer's checkpoints.
///
/// A checkpoint syncs every log written since the previous one, but on a journaling file system each
/// `fdatasync` that changes a file's size waits for a journal commit; issued concurrently, they share commits.
/// One log is synced on the writer thread; more are spread over a few sync threads and awaited together.
final class LogSyncer: Sendable {
    private let threads: NIOThreadPool
    private let threadCount: Int

    init(threads: Int) {
        threadCount = max(threads, 1)
        self.threads = NIOThreadPool(numberOfThreads: threadCount)
    }

    func start() { threads.start() }

    func shutdown() async { try? await threads.shutdownGracefully() }

    /// Calls `body` for every job, concurrently when there are several, and throws the first failure it
    /// returned once all finished.
    func run<Job: Sendable>(_ jobs: [Job], _ body: @escaping @Sendable (Job) -> FileStoreFailure?) throws(FileStoreFailure) {
        if jobs.count == 1, let error = body(jobs[0]) { throw error }
        guard jobs.count > 1 else { return }
        let round = Round()
        let group = DispatchGroup()
        for _ in 0..<min(threadCount, jobs.count) {
            group.enter()
            threads.submit { _ in
                // A shared cursor: each sync thread takes the next job until none are left.
                while true {
                    let index = round.next.add(1, ordering: .relaxed).oldValue
                    guard index < jobs.count else { break }
                    if let error = body(jobs[index]) {
                        round.failure.withLock { $0 = $0 ?? error }
                    }
                }
                group.leave()
            }
        }
        group.wait()
        if let error = round.failure.withLock({ $0 }) { throw error }
    }

    private final class Round: Sendable {
        let next = Atomic<Int>(0)
        let failure = Mutex<FileStoreFailure?>(nil)
    }
}
