import AsyncHTTPClient
import DSProtocol
import DSServer
import DSStore
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// Subscriptions (PROTOCOL.md §6–7): durable cursors over streams that wake workers by webhook or by
/// pull-wake events, served under `{stream-root}__ds/`.
///
/// ```swift
/// var options = ServerOptions(port: 0)
/// options.controlAPI = SubscriptionService(options: SubscriptionOptions(directory: "/var/lib/ds/subscriptions"))
/// ```
///
/// State changes happen under one lock as pure transitions (``SubscriptionCore``); network calls, wake
/// stream appends, timers and disk writes run after it, so appends are never blocked or slowed: the append
/// path only enqueues an observation when at least one subscription exists.
/// Use one service per server run: `stop()` ends it for good.
public final class SubscriptionService: ReservedRouteHandler {
    let options: SubscriptionOptions
    let core = Mutex(SubscriptionCore())
    let runtime = Mutex<Runtime?>(nil)
    private let subscriptionCount = Atomic<Int>(0)
    private let observations: AsyncStream<Observation>.Continuation
    private let observationStream: AsyncStream<Observation>

    /// What exists only while the server runs.
    struct Runtime: Sendable {
        var environment: ControlEnvironment
        var signing: SigningKey
        var persistence: StatePersistence
        var sender: WebhookSender
        var client: HTTPClient
        var metrics: SubscriptionMetrics
        var consumer: Task<Void, Never>?
        var tasks: [UInt64: Task<Void, Never>] = [:]
        var nextTaskID: UInt64 = 0
        var stopped = false
    }

    /// Stream activity reported by the server, handled in order off the request path.
    enum Observation: Sendable {
        case appended(String, StreamOffset)
        case created(String)
        case removed(String)
    }

    /// Creates the service; nothing is loaded until the server starts it.
    public init(options: SubscriptionOptions = SubscriptionOptions()) {
        self.options = options
        (observationStream, observations) = AsyncStream.makeStream(of: Observation.self)
    }

    var logger: Logger { runtime.withLock { $0?.environment.logger } ?? Logger(label: "durable-streams.subscriptions") }

    static func now() -> Int64 { StoreTimestamp.now().milliseconds }

    // MARK: - ReservedRouteHandler

    public func start(_ environment: ControlEnvironment) async throws {
        let file = try options.directory.map { try SnapshotFile(directory: $0) }
        let signing = try SigningKey.loadOrCreate(in: file)
        let tokens = try TokenSigner.loadOrCreate(in: file)
        let persistence = StatePersistence(file: file)
        let snapshot = try persistence.load()
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.decompression = .disabled
        let client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
        let sender = WebhookSender(
            client: client,
            policy: WebhookURLPolicy(developmentMode: options.developmentMode),
            resolver: options.resolver,
            timeout: options.webhookTimeout
        )
        let publicBase = options.publicBaseURL
        core.withLock { core in
            core.subscriptions = snapshot.subscriptions
            core.tokens = tokens
        }
        subscriptionCount.store(snapshot.subscriptions.count, ordering: .releasing)
        runtime.withLock {
            $0 = Runtime(
                environment: environment, signing: signing, persistence: persistence, sender: sender, client: client,
                metrics: SubscriptionMetrics(factory: environment.metricsFactory)
            )
        }
        // The bound address is known only once the server listens; resolve it lazily.
        let streamRoot = environment.streamRoot
        persistenceProvider(persistence)
        streamRootURLResolver = { (publicBase ?? environment.baseURL()) + streamRoot }
        try await reconcile(with: environment.store)
        let consumer = Task { [weak self, observationStream] in
            for await observation in observationStream {
                await self?.handle(observation)
            }
        }
        runtime.withLock { $0?.consumer = consumer }
    }

    public func stop() async {
        observations.finish()
        let (consumer, tasks, client, persistence) = runtime.withLock { runtime -> (Task<Void, Never>?, [Task<Void, Never>], HTTPClient?, StatePersistence?) in
            runtime?.stopped = true
            return (runtime?.consumer, Array(runtime?.tasks.values ?? [:].values), runtime?.client, runtime?.persistence)
        }
        for task in tasks { task.cancel() }
        await consumer?.value
        for task in tasks { await task.value }
        try? await persistence?.save()
        try? await client?.shutdown()
    }

    public func streamAppended(path: String, tail: StreamOffset) {
        guard subscriptionCount.load(ordering: .relaxed) > 0 else { return }
        observations.yield(.appended(path, tail))
    }

    public func streamLifecycleEvent(_ event: StreamLifecycleEvent) {
        guard subscriptionCount.load(ordering: .relaxed) > 0 else { return }
        switch event.kind {
        case .created: observations.yield(.created(event.path))
        case .deleted, .expired: observations.yield(.removed(event.path))
        }
    }

    func updateSubscriptionCount() {
        let count = core.withLock { $0.subscriptions.count }
        subscriptionCount.store(count, ordering: .releasing)
    }

    // MARK: - Lazily bound values

    private let lazy = Mutex<(@Sendable () -> String)?>(nil)

    private var streamRootURLResolver: (@Sendable () -> String)? {
        get { lazy.withLock { $0 } }
        set { lazy.withLock { $0 = newValue } }
    }

    /// Runs a transition with the stream root URL filled in, returning its result.
    func transition<T>(_ body: (inout SubscriptionCore) throws(ControlError) -> T) throws(ControlError) -> T {
        let root = streamRootURLResolver?() ?? ""
        return try core.withLock { (core: inout SubscriptionCore) throws(ControlError) -> T in
            core.streamRootURL = root
            return try body(&core)
        }
    }

    private func persistenceProvider(_ persistence: StatePersistence) {
        persistence.setSource { [weak self] in
            self?.core.withLock { ($0.snapshot, $0.version) } ?? (EngineSnapshot(), 0)
        }
    }

    // MARK: - Observations

    private func handle(_ observation: Observation) async {
        let now = Self.now()
        switch observation {
        case .appended(let path, let tail):
            let effects = (try? transition { $0.streamAppended(path, tail: tail, now: now) }) ?? []
            perform(effects)
        case .created(let path):
            guard let store = runtime.withLock({ $0?.environment.store }) else { return }
            guard let info = try? await store.metadata(path: path, now: .now(), on: MultiThreadedEventLoopGroup.singleton.any()).get() else {
                return
            }
            let base = info.fork?.offset ?? .zero
            let effects = (try? transition { $0.streamCreated(path, base: base, tail: info.tail, now: now) }) ?? []
            perform(effects)
        case .removed(let path):
            _ = try? transition { $0.streamRemoved(path) }
        }
        saveSoon()
    }

    /// After a restart: refreshes tails from the store, links pattern matches created meanwhile, and
    /// resumes leases and retries on their persisted schedule.
    private func reconcile(with store: any StreamStore) async throws {
        let now = Self.now()
        let streams = try await store.list(now: .now(), on: MultiThreadedEventLoopGroup.singleton.any()).get()
        let effects = try transition { core in
            for info in streams {
                for id in core.subscriptions.keys {
                    if var link = core.subscriptions[id]!.links[info.path] {
                        if info.tail < link.ackedOffset { link.acked = StreamOffset.zero.description }
                        link.tail = info.tail.description
                        core.subscriptions[id]!.links[info.path] = link
                    } else if core.subscriptions[id]!.patternMatches(info.path) {
                        core.subscriptions[id]!.links[info.path] = .init(
                            explicit: false, glob: true, acked: (info.fork?.offset ?? .zero).description, tail: info.tail.description
                        )
                    }
                }
            }
            let live = Set(streams.map(\.path))
            for path in core.subscriptions.values.flatMap({ $0.links.keys }) where !live.contains(path) {
                core.streamRemoved(path)
            }
            return core.subscriptions.keys.sorted().flatMap { core.wakeIfNeeded($0, now: now) }
        }
        try await save()
        perform(effects)
    }

    // MARK: - Effects

    /// Carries out effects on their own tasks; never waits for them.
    func perform(_ effects: [Effect]) {
        for effect in effects {
            switch effect {
            case .deliver(let delivery):
                spawn { service in await service.deliver(delivery) }
            case .appendWakeEvents(let wakeStream, let events):
                spawn { service in await service.appendWake(events, to: wakeStream) }
            case .timer(let id, let deadline):
                spawn { service in
                    let delay = deadline - Self.now()
                    if delay > 0 { try? await Task.sleep(nanoseconds: UInt64(delay) * 1_000_000) }
                    guard !Task.isCancelled else { return }
                    service.tick(id)
                }
            }
        }
    }

    /// Starts a tracked task (cancelled when the service stops).
    private func spawn(_ work: @escaping @Sendable (SubscriptionService) async -> Void) {
        runtime.withLock { runtime in
            guard runtime != nil, !runtime!.stopped else { return }
            let taskID = runtime!.nextTaskID
            runtime!.nextTaskID += 1
            runtime!.tasks[taskID] = Task { [weak self] in
                guard let self else { return }
                await work(self)
                self.runtime.withLock { _ = $0?.tasks.removeValue(forKey: taskID) }
            }
        }
    }

    /// A deadline passed: expire leases, start due retries, wake pending work.
    func tick(_ id: String) {
        let effects = (try? transition { $0.wakeIfNeeded(id, now: Self.now()) }) ?? []
        saveSoon()
        perform(effects)
    }

    private func deliver(_ delivery: WebhookDelivery) async {
        guard let (sender, signing, metrics) = runtime.withLock({ runtime in runtime.map { ($0.sender, $0.signing, $0.metrics) } }) else {
            return
        }
        let result = await sender.send(delivery, key: signing)
        if case .failed(let reason) = result {
            metrics.failed()
            logger.warning("webhook delivery failed", metadata: ["subscription": "\(delivery.subscriptionID)", "reason": "\(reason)"])
        } else {
            metrics.delivered()
        }
        let effects = (try? transition {
            $0.deliveryFinished(delivery, result: result, now: Self.now(), retryDelay: RetryBackoff.delay(afterFailures:))
        }) ?? []
        try? await save()
        perform(effects)
    }

    private func appendWake(_ events: [JSONValue], to wakeStream: String) async {
        guard let (store, metrics) = runtime.withLock({ runtime in runtime.map { ($0.environment.store, $0.metrics) } }) else { return }
        do {
            try await WakeStreamWriter(store: store).append(events, to: wakeStream)
            metrics.delivered()
        } catch {
            metrics.failed()
            logger.warning("cannot append to the wake stream", metadata: ["wake_stream": "\(wakeStream)", "error": "\(error)"])
        }
    }

    // MARK: - Persistence

    /// Saves the current state durably (no-op in memory).
    func save() async throws {
        guard let persistence = runtime.withLock({ $0?.persistence }) else { return }
        try await persistence.save()
    }

    /// Saves soon without waiting; bursts of changes coalesce into one write.
    func saveSoon() {
        runtime.withLock { $0?.persistence }?.saveSoon()
    }
}
