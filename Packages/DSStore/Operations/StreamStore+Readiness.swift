import NIOCore

extension StreamStore {
    /// A store with nothing to check is ready whenever it exists.
    public func readiness(on eventLoop: any EventLoop) -> EventLoopFuture<Void> {
        eventLoop.makeSucceededVoidFuture()
    }
}
