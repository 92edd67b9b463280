import DSProtocol

extension ReadStart {
    /// The stream position a read starts at, on a stream whose tail is at `tail`: `0`, the tail, or the offset's
    /// position. Throws ``StoreError/invalid(_:)`` (`400`) for an offset past the tail, which this stream never
    /// minted.
    public func position(tail: UInt64) throws(StoreError) -> UInt64 {
        switch self {
        case .beginning: return 0
        case .tail: return tail
        case .offset(let offset):
            guard offset.segment == 0, offset.position <= tail else {
                throw .invalid(.badRequest("offset is beyond the stream's tail"))
            }
            return offset.position
        }
    }
}
