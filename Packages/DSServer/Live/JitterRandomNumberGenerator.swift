import Synchronization

/// The random source of cursor jitter: SplitMix64 over one process-wide counter, seeded once from the system's
/// generator.
///
/// Jitter only has to make a cursor unpredictable enough to keep clients from cycling through cached responses (PROTOCOL.md §10.1); it guards no
/// secret. The system generator costs a `getrandom` system call per draw, which a long-poll fan-out paid once per
/// reader and append.
struct JitterRandomNumberGenerator: RandomNumberGenerator {
    private static let counter = Atomic<UInt64>(UInt64.random(in: .min ... .max))

    mutating func next() -> UInt64 {
        var mixed = Self.counter.wrappingAdd(0x9E37_79B9_7F4A_7C15, ordering: .relaxed).newValue
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}
