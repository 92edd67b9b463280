/// Parses the protocol's integer header values strictly: `Stream-TTL` (PROTOCOL.md §5.1),
/// `Producer-Epoch` and `Producer-Seq` (§5.2.1) and `Stream-Fork-Sub-Offset` (§4.2).
///
/// Only plain decimal is accepted: `3600` is valid; `+3600`, `03600`, `3600.0`, `3.6e3`, ` 3600`
/// and the empty string are not.
public enum StrictInteger {
    /// The largest integer JavaScript represents exactly, 2^53 − 1: the bound on producer epochs and sequences.
    public static let maxSafeJavaScriptInteger: Int64 = 9_007_199_254_740_991

    /// Parses decimal digits with no sign, whitespace or leading zero (except `"0"` itself), returning
    /// `nil` for anything else or for a value above `max`.
    ///
    /// Inputs of any length are safe: parsing stops before the value could exceed `max`.
    public static func parseNonNegative(_ text: some StringProtocol, max: Int64) -> Int64? {
        var iterator = text.utf8.makeIterator()
        guard let first = iterator.next() else { return nil }
        let leading = first &- UInt8(ascii: "0")
        guard leading < 10, Int64(leading) <= max else { return nil }
        if leading == 0 {
            return iterator.next() == nil ? 0 : nil
        }
        var value = Int64(leading)
        while let byte = iterator.next() {
            let digit = Int64(byte &- UInt8(ascii: "0"))
            // value * 10 + digit <= max, rearranged so nothing overflows.
            guard digit < 10, value <= (max - digit) / 10 else { return nil }
            value = value * 10 + digit
        }
        return value
    }
}
