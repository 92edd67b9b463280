import DSProtocol
import Foundation
import NIOCore
import Testing

struct Base64Tests {
    private func encode(_ bytes: [UInt8]) -> String {
        var buffer = ByteBuffer()
        bytes.withUnsafeBytes { Base64.encode($0, into: &buffer) }
        return buffer.readString(length: buffer.readableBytes)!
    }

    @Test(arguments: [
        ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="),
        ("foobar", "Zm9vYmFy"),
    ])
    func rfc4648TestVectors(plain: String, encoded: String) {
        #expect(encode(Array(plain.utf8)) == encoded)
        #expect(Base64.decode(encoded) == Array(plain.utf8))
        #expect(Base64.encodedLength(plain.utf8.count) == encoded.utf8.count)
    }

    @Test func usesTheStandardAlphabet() {
        #expect(encode([0xFB, 0xEF, 0xFF]) == "++//")
        #expect(Base64.decode("++//") == [0xFB, 0xEF, 0xFF])
        #expect(encode(Array(0...255)) == Data(Array(0...255)).base64EncodedString())
    }

    @Test func appendsAfterExistingBytesAndFromByteBuffers() {
        var buffer = ByteBuffer(string: "data: ")
        let source = ByteBuffer(bytes: [0x00, 0x01, 0x02, 0x03])
        Base64.encode(source, into: &buffer)
        #expect(buffer.readString(length: buffer.readableBytes) == "data: AAECAw==")
        var empty = ByteBuffer()
        Base64.encode(ByteBuffer(), into: &empty)
        #expect(empty.readableBytes == 0)
    }

    @Test func encodedLengths() {
        #expect(Base64.encodedLength(0) == 0)
        #expect(Base64.encodedLength(1) == 4)
        #expect(Base64.encodedLength(3) == 4)
        #expect(Base64.encodedLength(4) == 8)
        #expect(Base64.encodedLength(3_000_000) == 4_000_000)
    }

    @Test func randomBytesRoundTripAndMatchFoundation() {
        var generator = SystemRandomNumberGenerator()
        for count in 0..<300 {
            let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let encoded = encode(bytes)
            #expect(encoded == Data(bytes).base64EncodedString())
            #expect(encoded.utf8.count == Base64.encodedLength(count))
            #expect(Base64.decode(encoded) == bytes)
            let fromRaw = Array(encoded.utf8).withUnsafeBytes { Base64.decode($0) }
            #expect(fromRaw == bytes)
        }
    }

    @Test func decodeSkipsLineBreaks() {
        #expect(Base64.decode("Zm9v\r\nYmFy") == Array("foobar".utf8))
        #expect(Base64.decode("Zm\n9vYg=\r\n=\n") == Array("foob".utf8))
        #expect(Base64.decode("\r\n") == [])
        let wrapped = Data(Array(repeating: UInt8(7), count: 200)).base64EncodedString(options: .lineLength64Characters)
        #expect(Base64.decode(wrapped) == Array(repeating: 7, count: 200))
    }

    @Test(arguments: [
        "Zg", "Zg=", "Zm8", "Z", "Zm9vY", "=", "==", "Zg===", "Z===", "=Zg=", "Zg==Zg==", "Zm=8", "Zm9v=",
        "Zm9v ", " Zm9v", "Zm9v\t", "Zm-v", "Zm_v", "Zm9v\u{0}", "Zm9vä", "Zh==", "Zm9=", "Zg==\r\nx",
    ])
    func decodeRejectsInvalidInput(text: String) {
        #expect(Base64.decode(text) == nil)
    }
}
