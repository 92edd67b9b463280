/// Every conformance case, assembled from the per-section lists in `Sections/`, grouped by section in
/// specification order.
enum ConformanceCatalog {
    static let sectionOrder: [ConformanceSection] = [
        .streamModel, .closure, .forks, .create, .append, .producers, .close, .delete, .metadata, .catchUp, .longPoll,
        .sse, .offsets, .contentTypes, .caching, .securityHeaders,
    ]

    static var all: [ConformanceCase] {
        let unordered = streamModel + closure + forks + create + append + producers + close + delete + metadata + catchUp
            + longPoll + sse + offsets + contentTypes + caching + securityHeaders + properties
        return sectionOrder.flatMap { section in unordered.filter { $0.section == section } }
    }
}
