import DSStore

/// Fork references, soft deletion and collection in a group commit (PROTOCOL.md §4.2, §5.4).
///
/// A source's `forkReferences` counts the forks created from it that are not yet removed, and changes in
/// the same LMDB transaction as the fork records themselves, so the count can never disagree with the links
/// after a crash. Deleting (or expiring) a stream with forks soft-deletes it: `410`, its path blocked, its log
/// kept. Removing a stream for good releases its source's count; a soft-deleted source whose count reaches
/// zero is removed in the same group, and so on up the chain.
extension GroupCommit {
    /// Takes one reference on a planned fork's source, unless it was deleted, replaced or expired since the
    /// fork was planned. The reservation under the source's lock keeps a request that finds the source
    /// expired meanwhile from removing it for good while this fork is being committed.
    mutating func attach(_ fork: PlannedFork, now: StoreTimestamp) throws(StoreError) -> ForkLink {
        let source = fork.source
        guard current(source.path) === source, var working = load(source) else { throw .notFound(path: source.path) }
        if working.record.softDeleted { throw .forkSourceGone(path: source.path) }
        if working.record.isExpired(at: now) {
            // Answer as the next access will, and let that access expire it.
            throw working.record.forkReferences > 0 ? .forkSourceGone(path: source.path) : .notFound(path: source.path)
        }
        let refusal = source.state.withLock { state -> StoreError? in
            switch state.lifecycle {
            case .removed: return .notFound(path: source.path)
            case .softDeleted: return .forkSourceGone(path: source.path)
            case .live:
                state.reservedForks += 1
                return nil
            }
        }
        if let refusal { throw refusal }
        let key = ObjectIdentifier(source)
        reservations[key, default: (source, 0)].count += 1
        working.record.forkReferences += 1
        working.dirty = true
        pending[key] = working
        return ForkLink(
            sourcePath: fork.plan.spec.sourcePath,
            sourceID: source.id,
            offset: fork.plan.spec.offset?.position ?? fork.plan.base,
            subOffset: fork.plan.spec.subOffset,
            base: fork.plan.base
        )
    }

    /// Marks a stream deleted while forks still read its data.
    mutating func softDelete(_ stream: FileStream) {
        guard var working = load(stream) else { return }
        working.record.softDeleted = true
        working.dirty = true
        pending[ObjectIdentifier(stream)] = working
    }

    /// Removes a stream for good and releases its source, collecting every soft-deleted ancestor that no
    /// fork uses any more.
    mutating func remove(_ stream: FileStream) {
        var next: FileStream? = stream
        while let current = next {
            next = nil
            let key = ObjectIdentifier(current)
            guard removed.insert(key).inserted else { return }
            overlay[current.path] = .some(nil)
            let isNew = pending[key]?.isNew ?? false
            pending[key]?.removed = true
            removals.append(Removal(stream: current, committed: !isNew))
            guard let source = current.source else { return }
            guard var working = load(source), working.record.forkReferences > 0 else {
                context.logger.error("a removed fork's source holds no reference for it", metadata: ["fork": "\(current.path)", "source": "\(source.path)"])
                return
            }
            working.record.forkReferences -= 1
            working.dirty = true
            pending[ObjectIdentifier(source)] = working
            if working.record.forkReferences == 0 && working.record.softDeleted { next = source }
        }
    }
}
