import NIOHTTP1

/// The protocol headers of an append's or a read's answer, kept as values until the transport writes them
/// (see ``AppendResponseFields`` and ``ReadResponseFields``).
enum ResponseFields: Sendable {
    case append(AppendResponseFields)
    case read(ReadResponseFields)

    /// Appends the fields to `headers`.
    func add(to headers: inout HTTPHeaders) {
        switch self {
        case .append(let fields): fields.add(to: &headers)
        case .read(let fields): fields.add(to: &headers)
        }
    }

    /// The most bytes ``write(into:)`` writes.
    var maxWrittenBytes: Int {
        switch self {
        case .append: AppendResponseFields.maxWrittenBytes
        case .read(let fields): fields.maxWrittenBytes
        }
    }

    /// Writes the fields as header lines.
    func write(into head: inout HeadBytes) {
        switch self {
        case .append(let fields): fields.write(into: &head)
        case .read(let fields): fields.write(into: &head)
        }
    }
}
