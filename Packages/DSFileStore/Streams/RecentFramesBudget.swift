import Synchronization

/// The store-wide bound on the bytes of ``RecentFrames`` kept, across all streams.
final class RecentFramesBudget: Sendable {
    private let used = Atomic<Int>(0)
    let limit: Int

    init(limit: Int) { self.limit = max(0, limit) }

    /// Bytes kept now.
    var bytes: Int { used.load(ordering: .relaxed) }

    /// Gives back `released` bytes and takes `wanted` more; returns whether there was room for them (when not,
    /// only the release happened).
    func exchange(releasing released: Int, wanting wanted: Int) -> Bool {
        var current = used.load(ordering: .relaxed)
        while true {
            let next = current - released + wanted
            let fits = next <= limit
            let (exchanged, original) = used.compareExchange(
                expected: current, desired: fits ? next : current - released, ordering: .relaxed
            )
            if exchanged { return fits }
            current = original
        }
    }
}

extension FileStream.State {
    /// Keeps `frames` (`nil`: nothing) within `budget`, in place of the `released` bytes kept before (already
    /// taken out of the state, so that joining to them could write in place).
    mutating func keepRecentFrames(_ frames: RecentFrames?, releasing released: Int, budget: RecentFramesBudget) {
        let fits = budget.exchange(releasing: released, wanting: frames?.byteCount ?? 0)
        recentFrames = fits ? frames : nil
    }

    /// Keeps nothing any more.
    mutating func dropRecentFrames(budget: RecentFramesBudget) {
        guard let previous = recentFrames.take() else { return }
        _ = budget.exchange(releasing: previous.byteCount, wanting: 0)
    }
}
