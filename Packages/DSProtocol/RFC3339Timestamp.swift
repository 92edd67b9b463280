/// Strict RFC 3339 `date-time` parsing and formatting for `Stream-Expires-At` (PROTOCOL.md §5.1),
/// with calendar arithmetic done by hand so no `Foundation` formatter runs per request.
///
/// Accepted form: `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, where `T` and `Z` may be lower case.
/// A space in place of `T`, missing seconds, or a missing offset are rejected. Dates are proleptic
/// Gregorian and validated (February 29 only in leap years); a leap second `:60` is read as `:59`.
public enum RFC3339 {
    /// Parses a timestamp into milliseconds since the Unix epoch, or `nil` if it is not strict RFC 3339.
    ///
    /// Fraction digits beyond milliseconds are truncated; the offset is applied, so
    /// `2025-01-01T01:00:00+01:00` and `2025-01-01T00:00:00Z` give the same value.
    public static func parseMilliseconds(_ text: some StringProtocol) -> Int64? {
        if let parsed = text.utf8.withContiguousStorageIfAvailable({ parse($0) }) {
            return parsed
        }
        return Array(text.utf8).withUnsafeBufferPointer { parse($0) }
    }

    /// Formats milliseconds since the Unix epoch as `YYYY-MM-DDTHH:MM:SS.mmmZ`, always UTC with three
    /// fraction digits.
    ///
    /// Instants outside years 0000–9999, which RFC 3339 cannot express, are clamped to the nearest
    /// representable one.
    public static func format(milliseconds: Int64) -> String {
        let clamped = min(max(milliseconds, earliestMilliseconds), latestMilliseconds)
        let (days, millisecondOfDay) = floorDivide(clamped, by: millisecondsPerDay)
        let (year, month, day) = civil(fromDays: days)
        let millisecond = Int(millisecondOfDay % 1000)
        let secondOfDay = Int(millisecondOfDay / 1000)
        return String(unsafeUninitializedCapacity: 24) { out in
            func put(_ value: Int, width: Int, at offset: Int) {
                var value = value
                for k in stride(from: offset &+ width &- 1, through: offset, by: -1) {
                    out[k] = UInt8(truncatingIfNeeded: value % 10) &+ UInt8(ascii: "0")
                    value /= 10
                }
            }
            put(year, width: 4, at: 0)
            out[4] = UInt8(ascii: "-")
            put(month, width: 2, at: 5)
            out[7] = UInt8(ascii: "-")
            put(day, width: 2, at: 8)
            out[10] = UInt8(ascii: "T")
            put(secondOfDay / 3600, width: 2, at: 11)
            out[13] = UInt8(ascii: ":")
            put(secondOfDay / 60 % 60, width: 2, at: 14)
            out[16] = UInt8(ascii: ":")
            put(secondOfDay % 60, width: 2, at: 17)
            out[19] = UInt8(ascii: ".")
            put(millisecond, width: 3, at: 20)
            out[23] = UInt8(ascii: "Z")
            return 24
        }
    }
}

extension RFC3339 {
    private static let millisecondsPerDay: Int64 = 86_400_000
    /// `0000-01-01T00:00:00.000Z`.
    private static let earliestMilliseconds: Int64 = -62_167_219_200_000
    /// `9999-12-31T23:59:59.999Z`.
    private static let latestMilliseconds: Int64 = 253_402_300_799_999

    private static func parse(_ s: UnsafeBufferPointer<UInt8>) -> Int64? {
        // The shortest valid form is "YYYY-MM-DDTHH:MM:SSZ".
        guard s.count >= 20 else { return nil }

        func digits(_ offset: Int, _ count: Int) -> Int? {
            var value = 0
            for k in offset..<(offset &+ count) {
                let digit = s[k] &- UInt8(ascii: "0")
                guard digit < 10 else { return nil }
                value = value &* 10 &+ Int(digit)
            }
            return value
        }

        guard let year = digits(0, 4), s[4] == UInt8(ascii: "-"),
            let month = digits(5, 2), s[7] == UInt8(ascii: "-"),
            let day = digits(8, 2), s[10] | 0x20 == UInt8(ascii: "t"),
            let hour = digits(11, 2), s[13] == UInt8(ascii: ":"),
            let minute = digits(14, 2), s[16] == UInt8(ascii: ":"),
            let second = digits(17, 2)
        else { return nil }

        guard (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year),
            hour <= 23, minute <= 59, second <= 60
        else { return nil }

        var index = 19
        var millisecond = 0
        if s[index] == UInt8(ascii: ".") {
            index &+= 1
            let fractionStart = index
            while index < s.count, s[index] &- UInt8(ascii: "0") < 10 {
                if index &- fractionStart < 3 {
                    millisecond = millisecond &* 10 &+ Int(s[index] &- UInt8(ascii: "0"))
                }
                index &+= 1
            }
            let fractionDigits = index &- fractionStart
            guard fractionDigits > 0 else { return nil }
            for _ in min(fractionDigits, 3)..<3 { millisecond &*= 10 }
        }

        guard index < s.count else { return nil }
        var offsetMinutes = 0
        switch s[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            index &+= 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard s.count &- index == 6, let offsetHour = digits(index &+ 1, 2),
                s[index &+ 3] == UInt8(ascii: ":"), let offsetMinute = digits(index &+ 4, 2),
                offsetHour <= 23, offsetMinute <= 59
            else { return nil }
            offsetMinutes = offsetHour &* 60 &+ offsetMinute
            if s[index] == UInt8(ascii: "-") { offsetMinutes = -offsetMinutes }
            index &+= 6
        default:
            return nil
        }
        guard index == s.count else { return nil }

        let days = Int64(self.days(fromYear: year, month: month, day: day))
        let minutes = (days * 24 + Int64(hour)) * 60 + Int64(minute) - Int64(offsetMinutes)
        let seconds = minutes * 60 + Int64(min(second, 59))
        return seconds * 1000 + Int64(millisecond)
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2:
            let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
            return leap ? 29 : 28
        case 4, 6, 9, 11:
            return 30
        default:
            return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
    private static func days(fromYear year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's `civil_from_days`).
    private static func civil(fromDays days: Int64) -> (year: Int, month: Int, day: Int) {
        let z = Int(days) + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func floorDivide(_ value: Int64, by divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        let (quotient, remainder) = value.quotientAndRemainder(dividingBy: divisor)
        return remainder < 0 ? (quotient - 1, remainder + divisor) : (quotient, remainder)
    }
}
