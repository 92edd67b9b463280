extension ConformanceContext {
    /// `PUT` a fork of `source` at `target` (no assertion). `Content-Type` is only sent when given.
    func fork(
        _ target: String,
        from source: String,
        offset: String? = nil,
        subOffset: String? = nil,
        contentType: String? = nil,
        headers: [(String, String)] = []
    ) async throws -> HTTPReply {
        var forkHeaders = [(H.forkedFrom, path(source))]
        if let offset { forkHeaders.append((H.forkOffset, offset)) }
        if let subOffset { forkHeaders.append((H.forkSubOffset, subOffset)) }
        return try await create(target, contentType: contentType, headers: forkHeaders + headers)
    }

    /// Creates a uniquely named fork and fails unless the server answers `201`.
    func newFork(
        of source: String,
        offset: String? = nil,
        subOffset: String? = nil,
        contentType: String? = nil,
        headers: [(String, String)] = []
    ) async throws -> String {
        let name = streamName("fork")
        try await fork(name, from: source, offset: offset, subOffset: subOffset, contentType: contentType, headers: headers)
            .expectStatus(201)
        return name
    }
}
