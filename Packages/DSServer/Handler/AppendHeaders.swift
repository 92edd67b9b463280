import DSProtocol
import NIOHTTP1

/// The request headers an append reads, found in one pass over the headers instead of one
/// `HTTPHeaders.first(name:)` scan each (six per append showed in the append profile).
///
/// Same rules as `first(name:)`: names compare ASCII case-insensitively and the first occurrence wins.
struct AppendHeaders {
    var contentType: String?
    var streamClosed: String?
    var streamSeq: String?
    var producerID: String?
    var producerEpoch: String?
    var producerSeq: String?

    init(_ headers: HTTPHeaders) {
        for (name, value) in headers {
            // Dispatch on the name's length first: most headers of a request match none of these.
            switch name.utf8.count {
            case 10: Self.take(value, into: &streamSeq, if: name, is: Self.streamSeqName)
            case 11: Self.take(value, into: &producerID, if: name, is: Self.producerIDName)
            case 12:
                Self.take(value, into: &contentType, if: name, is: Self.contentTypeName)
                Self.take(value, into: &producerSeq, if: name, is: Self.producerSeqName)
            case 13: Self.take(value, into: &streamClosed, if: name, is: Self.streamClosedName)
            case 14: Self.take(value, into: &producerEpoch, if: name, is: Self.producerEpochName)
            default: break
            }
        }
    }

    private static let contentTypeName = Array("content-type".utf8)
    private static let streamClosedName = Array(ProtocolHeader.streamClosed.lowercased().utf8)
    private static let streamSeqName = Array(ProtocolHeader.streamSeq.lowercased().utf8)
    private static let producerIDName = Array(ProtocolHeader.producerID.lowercased().utf8)
    private static let producerEpochName = Array(ProtocolHeader.producerEpoch.lowercased().utf8)
    private static let producerSeqName = Array(ProtocolHeader.producerSeq.lowercased().utf8)

    private static func take(_ value: String, into slot: inout String?, if name: String, is lowercased: [UInt8]) {
        guard slot == nil, name.utf8.count == lowercased.count else { return }
        var expected = lowercased.makeIterator()
        for byte in name.utf8 {
            let folded = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
            guard folded == expected.next() else { return }
        }
        slot = value
    }
}
