import DSStore

/// The fork half of recovery: reference counts, collection of unused soft-deleted streams, and the
/// ancestries forks read through, all rebuilt from the fork links LMDB holds.
extension Recovery {
    /// Makes every stream's reference count equal the number of fork records that name it as their source
    /// (they are committed together, so a difference means damaged metadata and is logged), and collects
    /// soft-deleted streams no fork uses any more, up the chain. `records` are sorted by id.
    /// - Returns: the indices of records whose count changed, and of those collected.
    static func reconcileForks(
        _ records: inout [(name: String, record: StreamRecord)],
        context: StoreContext
    ) -> (changed: Set<Int>, collected: Set<Int>) {
        var indexByID: [UInt64: Int] = [:]
        for (index, entry) in records.enumerated() { indexByID[entry.record.id] = index }
        var counts = [UInt64](repeating: 0, count: records.count)
        for entry in records {
            guard let link = entry.record.fork else { continue }
            if let source = indexByID[link.sourceID] {
                counts[source] += 1
            } else {
                context.logger.error(
                    "a fork's source is missing from the metadata: the data it inherits cannot be read",
                    metadata: ["stream": "\(entry.record.path)", "source": "\(link.sourcePath)"]
                )
            }
        }
        var changed = Set<Int>()
        for index in records.indices where records[index].record.forkReferences != counts[index] {
            context.logger.error(
                "a stream's fork reference count disagrees with its forks; using the count of fork records",
                metadata: ["stream": "\(records[index].record.path)", "stored": "\(records[index].record.forkReferences)", "forks": "\(counts[index])"]
            )
            records[index].record.forkReferences = counts[index]
            changed.insert(index)
        }
        var collected = Set<Int>()
        var unused = records.indices.filter { records[$0].record.softDeleted && counts[$0] == 0 }
        while let index = unused.popLast() {
            guard collected.insert(index).inserted else { continue }
            context.logger.info("collected a deleted stream no fork reads any more", metadata: ["stream": "\(records[index].record.path)"])
            guard let link = records[index].record.fork, let source = indexByID[link.sourceID] else { continue }
            records[source].record.forkReferences -= 1
            changed.insert(source)
            if records[source].record.forkReferences == 0 && records[source].record.softDeleted { unused.append(source) }
        }
        return (changed, collected)
    }

    /// The stream objects for `records` (sorted by id, so every source is made before its forks), each fork
    /// linked to its source and given the ancestry it reads through.
    static func makeStreams(_ records: [(name: String, record: StreamRecord)], skipping collected: Set<Int>) -> [FileStream] {
        var made: [UInt64: FileStream] = [:]
        var streams: [FileStream] = []
        streams.reserveCapacity(records.count - collected.count)
        for (index, (name, record)) in records.enumerated() where !collected.contains(index) {
            var source: FileStream?
            var ancestry: [InheritedRange<FileStream>] = []
            if let link = record.fork, let found = made[link.sourceID] {
                source = found
                let tail = found.state.withLock { $0.record.log.streamEnd }
                ancestry = [InheritedRange].readable(ancestry: found.ancestry, stream: found, base: found.base, tail: tail).cut(at: record.base)
            }
            let stream = FileStream(name: name, record: record, source: source, ancestry: ancestry)
            made[record.id] = stream
            streams.append(stream)
        }
        return streams
    }
}
