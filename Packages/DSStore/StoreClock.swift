/// Where the server and stores read the wall-clock time that expiry decisions use.
///
/// Production code uses ``system``. Tests inject a clock they advance themselves, so TTL and
/// `Stream-Expires-At` behaviour can be checked exactly, however loaded the machine is.
public struct StoreClock: Sendable {
    private let read: @Sendable () -> StoreTimestamp

    /// A clock that answers with whatever `read` returns; `read` must be cheap and thread-safe.
    public init(_ read: @escaping @Sendable () -> StoreTimestamp) {
        self.read = read
    }

    /// The system's real-time clock.
    public static let system = StoreClock { StoreTimestamp.now() }

    /// The current time according to this clock.
    @inline(__always)
    public func now() -> StoreTimestamp { read() }
}
