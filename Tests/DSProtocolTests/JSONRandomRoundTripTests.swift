import DSProtocol
import Foundation
import Testing

/// Generates random JSON documents, serializes them here, and checks the splitter accepts them with
/// exactly the element ranges the serializer recorded, and rejects corrupted copies.
/// The seed is printed; set `DS_JSON_SEED` to replay a failure.
struct JSONRandomRoundTripTests {
    @Test func randomDocumentsSplitWhereTheSerializerSaysTheyDo() throws {
        let seed = ProcessInfo.processInfo.environment["DS_JSON_SEED"].flatMap { UInt64($0) }
            ?? UInt64.random(in: 0...UInt64.max)
        print("JSONRandomRoundTripTests seed: \(seed) (replay with DS_JSON_SEED=\(seed))")
        var writer = RandomJSONWriter(seed: seed)

        for iteration in 0..<3000 {
            let document = writer.document()
            let context = Comment(rawValue: "seed \(seed) iteration \(iteration): \(String(decoding: document.bytes, as: UTF8.self))")
            let result = document.bytes.withUnsafeBytes { raw in
                Result { () throws(JSONValidationError) -> JSONSplit in try JSONMessageSplitter.split(raw) }
            }
            guard case .success(let split) = result else {
                Issue.record("valid document rejected: \(result); \(context.rawValue)")
                return
            }
            #expect(split.isArray == document.isArray, context)
            #expect(split.elements == document.elements, context)

            // Every message is itself valid JSON.
            for range in split.elements {
                let element = Array(document.bytes[range])
                let accepted = element.withUnsafeBytes { raw in (try? JSONMessageSplitter.split(raw)) != nil }
                #expect(accepted, context)
            }

            for corrupted in writer.corruptions(of: document) {
                let rejected = corrupted.withUnsafeBytes { raw in
                    (try? JSONMessageSplitter.split(raw)) == nil
                }
                #expect(rejected, "accepted corrupted \(String(decoding: corrupted, as: UTF8.self)); \(context.rawValue)")
            }
        }
    }
}

private struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

private struct RandomDocument {
    var bytes: [UInt8]
    var isArray: Bool
    var elements: [Range<Int>]
    /// The trimmed root value, for corruptions that must stay inside it.
    var root: Range<Int>
}

private struct RandomJSONWriter {
    var rng: SplitMix64
    var out: [UInt8] = []

    init(seed: UInt64) {
        rng = SplitMix64(state: seed)
    }

    mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &rng) < percent }

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }

    mutating func emit(_ text: String) { out.append(contentsOf: text.utf8) }

    mutating func document() -> RandomDocument {
        out = []
        whitespace()
        let start = out.count
        var elements: [Range<Int>] = []
        let isArray = chance(60)
        if isArray {
            emit("[")
            let count = int(0...6)
            for index in 0..<count {
                if index > 0 { emit(",") }
                whitespace()
                let elementStart = out.count
                value(depth: 1)
                elements.append(elementStart..<out.count)
                whitespace()
            }
            if count == 0 { whitespace() }
            emit("]")
        } else {
            value(depth: 0, allowArray: false)
            elements = [start..<out.count]
        }
        let root = start..<out.count
        whitespace()
        return RandomDocument(bytes: out, isArray: isArray, elements: elements, root: root)
    }

    mutating func whitespace() {
        guard chance(30) else { return }
        for _ in 0..<int(1...3) {
            out.append([0x20, 0x09, 0x0A, 0x0D][int(0...3)])
        }
    }

    mutating func value(depth: Int, allowArray: Bool = true) {
        let containers = depth < 6 ? 30 : 0
        var roll = int(0...(69 + containers))
        if !allowArray && (70..<85).contains(roll) { roll = 85 }
        switch roll {
        case 0..<10: emit("null")
        case 10..<20: emit(chance(50) ? "true" : "false")
        case 20..<45: number()
        case 45..<70: string()
        case 70..<85: array(depth: depth)
        default: object(depth: depth)
        }
    }

    mutating func array(depth: Int) {
        emit("[")
        let count = int(0...4)
        whitespace()
        for index in 0..<count {
            if index > 0 {
                emit(",")
                whitespace()
            }
            value(depth: depth + 1)
            whitespace()
        }
        emit("]")
    }

    mutating func object(depth: Int) {
        emit("{")
        let count = int(0...4)
        whitespace()
        for index in 0..<count {
            if index > 0 {
                emit(",")
                whitespace()
            }
            string()
            whitespace()
            emit(":")
            whitespace()
            value(depth: depth + 1)
            whitespace()
        }
        emit("}")
    }

    mutating func digits(_ count: Int, nonZeroFirst: Bool) {
        for index in 0..<count {
            let low = index == 0 && nonZeroFirst ? 1 : 0
            out.append(UInt8(ascii: "0") + UInt8(int(low...9)))
        }
    }

    mutating func number() {
        if chance(30) { emit("-") }
        if chance(20) { emit("0") } else { digits(int(1...18), nonZeroFirst: true) }
        if chance(30) {
            emit(".")
            digits(int(1...8), nonZeroFirst: false)
        }
        if chance(20) {
            emit(chance(50) ? "e" : "E")
            if chance(50) { emit(chance(50) ? "+" : "-") }
            digits(int(1...3), nonZeroFirst: false)
        }
    }

    mutating func string() {
        emit("\"")
        let pieces = chance(20) ? int(10...60) : int(0...8)
        for _ in 0..<pieces {
            switch int(0...9) {
            case 0...4:
                // Printable ASCII other than the quote and backslash.
                var byte = UInt8(int(0x20...0x7E))
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { byte = UInt8(ascii: "q") }
                out.append(byte)
            case 5:
                emit(["\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t"][int(0...7)])
            case 6:
                let hex = Array("0123456789abcdefABCDEF".utf8)
                emit("\\u")
                for _ in 0..<4 { out.append(hex[int(0...21)]) }
            default:
                let scalar = randomScalar()
                out.append(contentsOf: String(Character(scalar)).utf8)
            }
        }
        emit("\"")
    }

    mutating func randomScalar() -> Unicode.Scalar {
        let ranges: [ClosedRange<UInt32>] = [0x80...0x7FF, 0x800...0xD7FF, 0xE000...0xFFFF, 0x10000...0x10FFFF]
        while true {
            if let scalar = Unicode.Scalar(UInt32.random(in: ranges[int(0...3)], using: &rng)) { return scalar }
        }
    }

    /// Copies of `document` that cannot be valid JSON.
    mutating func corruptions(of document: RandomDocument) -> [[UInt8]] {
        var results: [[UInt8]] = []
        let bytes = document.bytes
        // A byte that is never valid anywhere in JSON text: a raw control character or 0xFF.
        for poison: UInt8 in [0x01, 0xFF] {
            var copy = bytes
            copy.insert(poison, at: int(0...bytes.count))
            results.append(copy)
        }
        // Trailing garbage after the value.
        results.append(bytes + Array([" x", "{}", ",", "]", "\"\""][int(0...4)].utf8))
        // An array or object cut short anywhere inside it.
        let first = bytes[document.root.lowerBound]
        if first == UInt8(ascii: "[") || first == UInt8(ascii: "{") {
            let cut = int(document.root.lowerBound...(document.root.upperBound - 1))
            results.append(Array(bytes[..<cut]))
        }
        // A trailing comma before the closing bracket of a non-empty array body.
        if document.isArray, let last = document.elements.last {
            var copy = bytes
            copy.insert(UInt8(ascii: ","), at: last.upperBound)
            results.append(copy)
        }
        return results
    }
}
