import DSProtocol
import NIOHTTP1

/// The response-header check the server runs itself instead of NIO's validating handler, and only where values
/// may come from code other than the stream protocol's own (control APIs, operations endpoints, options).
enum HeaderSafety {
    /// A value without CR, LF or NUL: it cannot end the header line early.
    static func isSafeValue(_ value: String) -> Bool {
        !value.utf8.contains { $0 == 0x0D || $0 == 0x0A || $0 == 0x00 }
    }

    /// A non-empty field name made of token characters.
    static func isSafeName(_ name: String) -> Bool {
        !name.utf8.isEmpty && name.utf8.allSatisfy(HTTPToken.isTokenByte)
    }

    /// Whether every header of `headers` is safe to send.
    static func areSafe(_ headers: HTTPHeaders) -> Bool {
        headers.allSatisfy { isSafeName($0.name) && isSafeValue($0.value) }
    }
}
