import DSTestSupport
import Synchronization

/// A queue a test awaits with a timeout: items put before `next` are kept in order.
final class Mailbox<Item: Sendable>: Sendable {
    private struct State {
        var items: [Item] = []
        var waiters: [(UInt64, CheckedContinuation<Item, any Error>)] = []
        var nextID: UInt64 = 0
    }

    private let state = Mutex(State())

    func put(_ item: Item) {
        let waiter = state.withLock { state -> CheckedContinuation<Item, any Error>? in
            if state.waiters.isEmpty {
                state.items.append(item)
                return nil
            }
            return state.waiters.removeFirst().1
        }
        waiter?.resume(returning: item)
    }

    /// The next item; fails after `timeout`.
    func next(timeout: Duration = .seconds(15), _ what: String = "an item") async throws -> Item {
        try await withCheckedThrowingContinuation { continuation in
            let id = state.withLock { state -> UInt64? in
                if !state.items.isEmpty {
                    continuation.resume(returning: state.items.removeFirst())
                    return nil
                }
                let id = state.nextID
                state.nextID += 1
                state.waiters.append((id, continuation))
                return id
            }
            guard let id else { return }
            Task {
                try? await Task.sleep(for: timeout)
                let expired = self.state.withLock { state -> CheckedContinuation<Item, any Error>? in
                    guard let index = state.waiters.firstIndex(where: { $0.0 == id }) else { return nil }
                    return state.waiters.remove(at: index).1
                }
                expired?.resume(throwing: TestFailure("timed out waiting for \(what)"))
            }
        }
    }

    /// Items received and not yet taken.
    var pending: Int { state.withLock { $0.items.count } }
}
