/// A registered one-shot waiter; cancel it when the reader times out or hangs up.
public struct StreamWait: Sendable {
    private let cancelAction: (@Sendable () -> Void)?

    /// Wraps the store's removal action; `nil` when the waiter completed at registration.
    public init(cancel: (@Sendable () -> Void)?) { self.cancelAction = cancel }

    /// True when the waiter is registered (its promise completes later); false when it completed at once.
    public var isRegistered: Bool { cancelAction != nil }

    /// Removes the waiter if it is still registered; its promise is then left for the caller to complete.
    public func cancel() { cancelAction?() }
}
