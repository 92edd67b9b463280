import Logging

/// Delivers lifecycle events to each hook on its own ordered queue, so a slow or failing hook affects
/// only itself.
final class LifecycleDispatcher: Sendable {
    private let queues: [AsyncStream<StreamLifecycleEvent>.Continuation]
    private let consumers: [Task<Void, Never>]

    init(hooks: [any StreamLifecycleHook], logger: Logger) {
        var queues: [AsyncStream<StreamLifecycleEvent>.Continuation] = []
        var consumers: [Task<Void, Never>] = []
        for hook in hooks {
            let (stream, continuation) = AsyncStream.makeStream(of: StreamLifecycleEvent.self)
            queues.append(continuation)
            consumers.append(Task {
                for await event in stream {
                    do {
                        try await hook.handle(event)
                    } catch {
                        logger.error(
                            "lifecycle hook failed",
                            metadata: ["hook": "\(type(of: hook))", "event": "\(event.kind.rawValue)", "path": "\(event.path)", "error": "\(error)"]
                        )
                    }
                }
            })
        }
        self.queues = queues
        self.consumers = consumers
    }

    var isEmpty: Bool { queues.isEmpty }

    func dispatch(_ event: StreamLifecycleEvent) {
        for queue in queues { queue.yield(event) }
    }

    /// Delivers what is queued, then stops.
    func finish() async {
        for queue in queues { queue.finish() }
        for consumer in consumers { await consumer.value }
    }
}
