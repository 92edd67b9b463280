#if canImport(Glibc)
import Glibc
#endif

/// Hands the memory a burst of live readers used back to the system once the burst is over.
///
/// glibc's allocator keeps pages freed by thousands of closed connections in its arenas, so without a trim the
/// server's RSS stays at its peak after the readers leave (the memory is reused by the next burst, not leaked,
/// but an operator sees it as held). When the live reader count falls to a quarter of a peak of at least
/// ``minimumPeak``, one `malloc_trim(0)` returns the free pages. Runs on the background sweeper, never on an
/// event loop.
struct MemoryTrimmer {
    /// Bursts smaller than this are not worth a trim.
    static let minimumPeak = 1000

    private var peak = 0
    private let trim: () -> Void

    /// A trimmer that calls `trim` (the allocator's trim by default) when a burst ends.
    init(trim: @escaping () -> Void = MemoryTrimmer.releaseFreeHeapPages) {
        self.trim = trim
    }

    /// Notes the current live reader count; trims when a large enough burst has ended.
    mutating func observe(liveReaders: Int) {
        peak = max(peak, liveReaders)
        guard peak >= Self.minimumPeak, liveReaders <= peak / 4 else { return }
        trim()
        peak = liveReaders
    }

    /// `malloc_trim(0)` where the C library has it (glibc); nothing elsewhere.
    static func releaseFreeHeapPages() {
        #if canImport(Glibc)
        typealias MallocTrim = @convention(c) (Int) -> Int32
        guard let symbol = dlsym(nil, "malloc_trim") else { return }
        _ = unsafeBitCast(symbol, to: MallocTrim.self)(0)
        #endif
    }
}
