extension StreamPathRouter {
    /// Why a decoded stream path is refused, if it is: NUL anywhere, or a `.` or `..` segment.
    static func problem(in path: String) -> String? {
        var segmentLength = 0
        var dots = 0
        for byte in path.utf8 {
            switch byte {
            case 0:
                return "stream paths must not contain NUL"
            case UInt8(ascii: "/"):
                if isDotSegment(length: segmentLength, dots: dots) { return dotSegmentProblem }
                segmentLength = 0
                dots = 0
            default:
                segmentLength += 1
                if byte == UInt8(ascii: ".") { dots += 1 }
            }
        }
        return isDotSegment(length: segmentLength, dots: dots) ? dotSegmentProblem : nil
    }

    private static func isDotSegment(length: Int, dots: Int) -> Bool {
        (length == 1 || length == 2) && dots == length
    }

    private static let dotSegmentProblem = "stream paths must not contain '.' or '..' segments"

    /// Decodes `%XX` escapes; `nil` when an escape is malformed or the bytes are not UTF-8.
    static func percentDecode(_ text: Substring, plusAsSpace: Bool = false) -> String? {
        let utf8 = text.utf8
        let needsDecoding = utf8.contains { $0 == UInt8(ascii: "%") || (plusAsSpace && $0 == UInt8(ascii: "+")) }
        if !needsDecoding { return String(text) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count)
        var index = utf8.startIndex
        while index < utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: "%") {
                let first = utf8.index(after: index)
                guard first < utf8.endIndex else { return nil }
                let second = utf8.index(after: first)
                guard second < utf8.endIndex, let high = hexValue(utf8[first]), let low = hexValue(utf8[second]) else { return nil }
                bytes.append(high << 4 | low)
                index = utf8.index(after: second)
            } else {
                bytes.append(plusAsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
                index = utf8.index(after: index)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
