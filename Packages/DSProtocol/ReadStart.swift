/// Where a read begins, as a client asks for it in the `offset` query parameter.
public enum ReadStart: Sendable, Hashable {
    /// `-1` or no offset: the beginning of the stream.
    case beginning
    /// `now`: the current tail, skipping existing data.
    case tail
    /// A server-minted offset.
    case offset(StreamOffset)

    /// The sentinel for the beginning of a stream.
    public static let beginningSentinel = "-1"
    /// The sentinel for the current tail.
    public static let tailSentinel = "now"

    /// Parses the `offset` query value; `nil` (absent) means the beginning. Returns `nil` when malformed.
    public init?(queryValue: String?) {
        guard let value = queryValue else { self = .beginning; return }
        switch value {
        case Self.beginningSentinel: self = .beginning
        case Self.tailSentinel: self = .tail
        default:
            guard let offset = StreamOffset(value) else { return nil }
            self = .offset(offset)
        }
    }
}
