import DSServer
import NIOCore

extension ServerOptions {
    /// Takes every expiry decision from `clock`, which the test moves itself, and sweeps in the background only
    /// once an hour: whatever expires during the test is noticed by the very next request, not by the sweep.
    public mutating func useManualClock(_ clock: ManualStoreClock) {
        expirySweepInterval = .seconds(3600)
        self.clock = clock.storeClock
    }
}
