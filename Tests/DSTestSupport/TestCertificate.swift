import Foundation
import NIOSSL

/// A throw-away self-signed certificate for `localhost` and `127.0.0.1`, made with the `openssl` command
/// at test time (nothing secret is committed). Files live in a fresh temporary directory.
public struct TestCertificate: Sendable {
    /// The PEM certificate file.
    public let certificatePath: String
    /// The PEM private key file.
    public let keyPath: String
    /// The directory holding both.
    public let directory: URL

    /// Generates a P-256 certificate valid for one day.
    public static func generate() throws -> TestCertificate {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ds-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let certificate = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        let openssl = try ChildProcess(
            executable: "/usr/bin/env",
            arguments: [
                "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", key, "-out", certificate, "-days", "1", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            ],
            standardOutput: .null,
            standardError: .pipe
        )
        let message = String(decoding: openssl.standardError!.readDataToEndOfFile(), as: UTF8.self)
        let status = openssl.waitUntilExit()
        guard status == 0 else { throw TestFailure("openssl failed (\(status)): \(message)") }
        return TestCertificate(certificatePath: certificate, keyPath: key, directory: directory)
    }

    /// A client TLS configuration that trusts only this certificate.
    public func clientConfiguration() throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(certificatePath))
        return configuration
    }

    /// Removes the files.
    public func remove() {
        try? FileManager.default.removeItem(at: directory)
    }
}
