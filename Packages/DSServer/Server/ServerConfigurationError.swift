/// Why ``DurableStreamServer/start()`` refused its options.
public enum ServerConfigurationError: Error, CustomStringConvertible, Sendable {
    /// An option that is sent as a response header value contains CR, LF or NUL.
    case unsafeHeaderValue(option: String)

    public var description: String {
        switch self {
        case .unsafeHeaderValue(let option): return "\(option) must not contain CR, LF or NUL: it is sent as a response header value"
        }
    }
}

extension ServerOptions {
    /// Refuses options that would put CR, LF or NUL into a response header (responses are not re-validated).
    func validateHeaderValues() throws(ServerConfigurationError) {
        func check(_ value: String, _ option: String) throws(ServerConfigurationError) {
            if value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }) { throw .unsafeHeaderValue(option: option) }
        }
        try check(crossOriginResourcePolicy, "crossOriginResourcePolicy")
        if let cors { try check(cors.allowOrigin, "cors.allowOrigin") }
    }
}
