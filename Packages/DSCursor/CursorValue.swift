/// Parsing and bounds of cursor values as they travel in headers and query strings.
///
/// Cursors are accepted only as plain decimal digits of at most `maxDigits`
/// characters. That bound keeps every value far enough below `Int.max` that adding
/// the largest possible jitter (3600 intervals) cannot overflow.
@usableFromInline
enum CursorValue {
    /// The longest cursor, in digits, that is taken into account.
    @usableFromInline static let maxDigits = 18

    /// The largest cursor value the server accepts or issues for the current interval.
    @usableFromInline static let maxValue = 999_999_999_999_999_999

    /// The integer value of `text`, or `nil` when it is absent, empty, longer than
    /// `maxDigits`, or contains anything but ASCII digits (signs included).
    @inlinable
    static func parse(_ text: String?) -> Int? {
        guard let utf8 = text?.utf8, !utf8.isEmpty, utf8.count <= maxDigits else {
            return nil
        }
        var value = 0
        for byte in utf8 {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }
}
