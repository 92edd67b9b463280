/// An option that cannot work, found when the server starts.
public struct ServerConfigurationError: Error, CustomStringConvertible, Sendable {
    /// What is wrong.
    public enum Code: Sendable, Equatable {
        /// An option that is sent as a response header value contains CR, LF or NUL.
        case invalidHeaderValue(option: String)
    }

    /// The problem.
    public let code: Code

    public var description: String {
        switch code {
        case .invalidHeaderValue(let option):
            return "\(option) becomes a response header value and must not contain CR, LF or NUL"
        }
    }

    /// Checks the options whose values the server sends as response headers. Responses are written without
    /// NIO's per-byte header validation (it cost about a tenth of the server's CPU per append), so these are
    /// checked once here; every other header value is a constant, a number or offset, or text that arrived in
    /// a request's target or headers, which the HTTP parser never lets carry CR, LF or NUL.
    static func check(_ options: ServerOptions) throws(ServerConfigurationError) {
        var values = [
            ("crossOriginResourcePolicy", options.crossOriginResourcePolicy),
            ("operations.metricsContentType", options.operations.metricsContentType),
        ]
        if let cors = options.cors { values.append(("cors.allowOrigin", cors.allowOrigin)) }
        for (name, value) in values where !HeaderSafety.isSafeValue(value) {
            throw ServerConfigurationError(code: .invalidHeaderValue(option: name))
        }
    }
}
