import DSStore
import NIOCore

extension FileStreamStore {
    /// Ready while the store is open, not read-only, and its log and metadata directories are writable.
    /// The directory check is one `access(2)` per directory, run on a reader thread, never on the event loop.
    public func readiness(on eventLoop: any EventLoop) -> EventLoopFuture<Void> {
        guard isOpen.load(ordering: .acquiring) else { return eventLoop.makeFailedFuture(StoreError.unavailable("the store is closed")) }
        if isReadOnly { return eventLoop.makeFailedFuture(StoreError.unavailable("the data directory is read-only")) }
        let directory = context.directory
        return context.threads.runIfActive(eventLoop: eventLoop) {
            do throws(FileStoreFailure) {
                try SystemCall.checkWritable(directory.streamsPath)
                try SystemCall.checkWritable(directory.metadataPath)
            } catch {
                throw StoreError.unavailable("the data directory is not writable: \(error)")
            }
        }
    }
}
